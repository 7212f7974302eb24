/* Progressive enhancement only: every page works without JavaScript. */
(function () {
  'use strict';
  try {
    // <select class="js-autosubmit"> submits its form as soon as its value changes.
    document.addEventListener('change', function (event) {
      try {
        var target = event.target;
        if (!(target instanceof HTMLSelectElement) || !target.classList.contains('js-autosubmit')) return;
        var form = target.form;
        if (!form) return;
        if (typeof form.requestSubmit === 'function') {
          form.requestSubmit(); // runs validation and fires "submit" like a click would
        } else {
          form.submit();
        }
      } catch (e) {
        // fail silently: the form's submit button still works
      }
    });
  } catch (e) {
    // fail silently
  }
})();
