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

    // The search filters sit in a <details> (closed on phones, behind « Filtrer (3) »); on wide screens they are a
    // sidebar, so keep it open there (CSS does the same in browsers that know ::details-content).
    var wide = window.matchMedia('(min-width: 900px)');
    var openFilters = function () {
      document.querySelectorAll('details.filters').forEach(function (d) { if (wide.matches) d.open = true; });
    };
    openFilters();
    if (typeof wide.addEventListener === 'function') wide.addEventListener('change', openFilters);
  } catch (e) {
    // fail silently
  }
})();
