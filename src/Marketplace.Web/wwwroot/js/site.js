/* enhancements only: the site works without JavaScript */
