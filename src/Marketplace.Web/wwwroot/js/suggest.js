/* Suggestions while typing in the search box (ADR 0026): the WAI-ARIA combobox pattern (list autocomplete) over a
   plain search field. Progressive enhancement only: without this script, or if it fails, the field and its form work
   as before, and Enter with no highlighted suggestion still submits the search. Every string shown or announced comes
   from the field's data- attributes (the site's resources, in the page's language), never from this file. */
(function () {
  'use strict';
  if (typeof window.fetch !== 'function' || typeof window.AbortController !== 'function') return;

  var DEBOUNCE_MS = 150;
  var MIN_LENGTH = 2; // the endpoint proposes nothing for one letter either

  // Only links of this site: a root-relative path, never another origin or a javascript: URL.
  function isSitePath(url) {
    return typeof url === 'string' && url.charAt(0) === '/' && url.charAt(1) !== '/' && url.charAt(1) !== '\\';
  }

  function enhance(input) {
    var data = input.dataset;
    var wrap = input.parentElement;
    var listbox = document.createElement('div');
    listbox.id = input.id + '-suggestions';
    listbox.className = 'suggestions';
    listbox.setAttribute('role', 'listbox');
    listbox.setAttribute('aria-label', data.suggestLabel || '');
    listbox.hidden = true;
    var status = document.createElement('div');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status'); // a polite live region: « 3 suggestions »
    wrap.appendChild(listbox);
    wrap.appendChild(status);

    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', listbox.id);

    var options = []; // { element, url }
    var active = -1;
    var timer = 0;
    var pending = null; // the AbortController of the request in flight
    var shownFor = null; // the text the listed suggestions answer
    var announced = '';

    function announce(count) {
      var message = count === 0 ? data.suggestNone
        : (count === 1 ? data.suggestOne : data.suggestMany).replace('{0}', String(count));
      if (!message || message === announced) return;
      announced = message;
      status.textContent = message;
    }

    function highlight(index) {
      if (active >= 0 && options[active]) options[active].element.setAttribute('aria-selected', 'false');
      active = index;
      if (index < 0) {
        input.removeAttribute('aria-activedescendant');
        return;
      }
      var option = options[index].element;
      option.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', option.id);
      if (typeof option.scrollIntoView === 'function') option.scrollIntoView({ block: 'nearest' });
    }

    function open() {
      if (options.length === 0) return;
      listbox.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }

    function close() {
      highlight(-1);
      listbox.hidden = true;
      input.setAttribute('aria-expanded', 'false');
    }

    function clear() {
      close();
      listbox.textContent = '';
      options = [];
      shownFor = null;
      announced = '';
      status.textContent = '';
    }

    function follow(index) {
      var url = options[index] && options[index].url;
      if (!url) return;
      close();
      window.location.assign(url);
    }

    function addGroup(kind, label, items, textOf) {
      if (!Array.isArray(items) || items.length === 0) return;
      var group = document.createElement('div');
      group.setAttribute('role', 'group');
      var heading = document.createElement('div');
      heading.id = listbox.id + '-' + kind;
      heading.className = 'suggestion-group';
      heading.setAttribute('role', 'presentation');
      heading.textContent = label || '';
      group.setAttribute('aria-labelledby', heading.id);
      group.appendChild(heading);
      items.forEach(function (item) {
        if (!item || !isSitePath(item.url)) return;
        var index = options.length;
        var option = document.createElement('div');
        option.id = listbox.id + '-' + index;
        option.className = 'suggestion';
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', 'false');
        // Text, never HTML: a provider's name is data (« <script> » shows as written).
        option.textContent = String(textOf(item) || '');
        option.addEventListener('click', function () { follow(index); });
        options.push({ element: option, url: item.url });
        group.appendChild(option);
      });
      if (group.childNodes.length > 1) listbox.appendChild(group);
    }

    function render(text, found) {
      close();
      listbox.textContent = '';
      options = [];
      shownFor = text;
      addGroup('categories', data.suggestCategories, found && found.categories, function (c) { return c.label; });
      addGroup('providers', data.suggestProviders, found && found.providers, function (p) { return p.name; });
      announce(options.length);
      if (document.activeElement === input) open();
    }

    function fetchSuggestions() {
      timer = 0;
      var text = input.value.trim();
      if (pending) {
        pending.abort(); // a stale answer never replaces a newer one
        pending = null;
      }
      if (text.length < MIN_LENGTH) {
        clear();
        return;
      }
      if (text === shownFor) {
        open();
        return;
      }
      var controller = new AbortController();
      pending = controller;
      var base = data.suggest;
      var url = base + (base.indexOf('?') < 0 ? '?' : '&') + 'q=' + encodeURIComponent(text);
      fetch(url, { signal: controller.signal, credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (response) {
          if (!response.ok) throw new Error('HTTP ' + response.status);
          return response.json();
        })
        .then(function (found) {
          if (pending !== controller) return;
          pending = null;
          render(text, found);
        })
        .catch(function () {
          // Aborted, offline or refused (429): no suggestions; the form still searches.
          if (pending !== controller) return;
          pending = null;
          clear();
        });
    }

    input.addEventListener('input', function () {
      if (timer) window.clearTimeout(timer);
      if (pending) {
        pending.abort(); // the text changed: that answer is stale already
        pending = null;
      }
      timer = window.setTimeout(fetchSuggestions, DEBOUNCE_MS);
    });

    input.addEventListener('keydown', function (event) {
      var expanded = !listbox.hidden;
      switch (event.key) {
        case 'ArrowDown':
        case 'Down':
          if (options.length === 0) return;
          event.preventDefault();
          if (!expanded) open();
          highlight(active + 1 >= options.length ? 0 : active + 1);
          break;
        case 'ArrowUp':
        case 'Up':
          if (options.length === 0) return;
          event.preventDefault();
          if (!expanded) open();
          highlight(active <= 0 ? options.length - 1 : active - 1);
          break;
        case 'Enter':
          if (expanded && active >= 0) {
            event.preventDefault();
            follow(active);
          }
          // Otherwise the form submits the typed text, as it does without this script.
          break;
        case 'Escape':
        case 'Esc':
          if (expanded) {
            event.preventDefault(); // a search field would also clear the text
            close();
          }
          break;
        case 'Tab':
          close();
          break;
      }
    });

    // Keeps the focus in the field while an option is clicked, so the click lands before the list closes.
    listbox.addEventListener('mousedown', function (event) { event.preventDefault(); });
    input.addEventListener('blur', close);
    if (input.form) {
      input.form.addEventListener('submit', function () {
        if (timer) window.clearTimeout(timer);
        timer = 0;
        if (pending) pending.abort();
        pending = null;
        close();
      });
    }
    // Coming back with the Back button (page cache): the list is closed, not left open from before.
    window.addEventListener('pageshow', function () { close(); });
  }

  try {
    document.querySelectorAll('input[data-suggest]').forEach(function (input) {
      try {
        if (input.id && input.parentElement) enhance(input);
      } catch (e) {
        // fail silently: the field stays a plain search field
      }
    });
  } catch (e) {
    // fail silently
  }
})();
