/* Suggestions as one types in the search boxes (the header's and the search page's), with the
   ARIA combobox pattern: the field is a combobox controlling a listbox of options; the arrow
   keys move the active option (aria-activedescendant), Enter or a click puts it in the box,
   Escape closes the list, and a polite live region says how many suggestions there are.
   Words come from /search-suggest (a JSON list) and are inserted as text, never as HTML.
   Loaded with defer as a file, as the Content-Security-Policy forbids inline scripts; without
   it every box is a plain search field and searching works the same. */
(function () {
  "use strict";

  var DELAY = 250;      // milliseconds after the last keystroke before asking
  var MIN_CHARS = 2;    // fewer typed characters ask nothing
  var MAX_SHOWN = 10;

  if (!window.fetch || !document.querySelectorAll) {
    return;
  }

  function optionOf(node, list) {
    for (; node && node !== list; node = node.parentNode) {
      if (node.getAttribute && node.getAttribute("role") === "option") {
        return node;
      }
    }
    return null;
  }

  function enhance(input, number) {
    var url = input.getAttribute("data-suggest");
    var field = input.parentNode;
    var listId = (input.id || "search-box-" + number) + "-suggestions";
    var list = document.createElement("ul");
    var status = document.createElement("span");
    var timer = null;
    var controller = null;
    var active = -1;

    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.getAttribute("data-suggest-label") || "");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    field.appendChild(list);
    field.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    function options() {
      return list.querySelectorAll("[role=option]");
    }

    function setOpen(open) {
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) {
        setActive(-1);
      }
    }

    function setActive(index) {
      var all = options();
      if (active >= 0 && all[active]) {
        all[active].setAttribute("aria-selected", "false");
      }
      active = index;
      if (index < 0 || !all[index]) {
        active = -1;
        input.removeAttribute("aria-activedescendant");
        return;
      }
      all[index].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", all[index].id);
      if (all[index].scrollIntoView) {
        all[index].scrollIntoView({block: "nearest"});
      }
    }

    function announce(count) {
      var text = "";
      if (count === 1) {
        text = input.getAttribute("data-suggest-one") || "";
      } else if (count > 1) {
        text = (input.getAttribute("data-suggest-many") || "").replace("{count}", String(count));
      }
      status.textContent = text;
    }

    function show(words) {
      setActive(-1);
      while (list.firstChild) {
        list.removeChild(list.firstChild);
      }
      words.forEach(function (word, index) {
        var option = document.createElement("li");
        option.id = listId + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = word;
        list.appendChild(option);
      });
      setOpen(words.length > 0);
      announce(words.length);
    }

    function cancel() {
      window.clearTimeout(timer);
      timer = null;
      if (controller) {
        controller.abort();
        controller = null;
      }
    }

    function ask() {
      var typed = input.value;
      cancel();
      if (typed.trim().length < MIN_CHARS) {
        show([]);
        return;
      }
      controller = window.AbortController ? new window.AbortController() : null;
      window.fetch(url + "?q=" + encodeURIComponent(typed), {
        credentials: "same-origin",
        headers: {Accept: "application/json"},
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        return response.ok ? response.json() : [];
      }).then(function (words) {
        // Late answers to older text, or for a box one has left, are dropped.
        if (input.value !== typed || document.activeElement !== input) {
          return;
        }
        words = Array.isArray(words) ? words.filter(function (word) {
          return typeof word === "string" && word;
        }) : [];
        show(words.slice(0, MAX_SHOWN));
      }).catch(function () {
        // Aborted or offline: the box stays a plain search field.
      });
    }

    function pick(option) {
      cancel();
      input.value = option.textContent;
      setOpen(false);
      status.textContent = "";
      input.focus();
    }

    input.addEventListener("input", function () {
      cancel();
      timer = window.setTimeout(ask, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      var count = options().length;
      switch (event.key) {
      case "ArrowDown":
      case "Down":
        if (count) {
          event.preventDefault();
          setOpen(true);
          setActive(active + 1 < count ? active + 1 : 0);
        }
        break;
      case "ArrowUp":
      case "Up":
        if (count) {
          event.preventDefault();
          setOpen(true);
          setActive(active > 0 ? active - 1 : count - 1);
        }
        break;
      case "Enter":
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          pick(options()[active]);
        }
        break;
      case "Escape":
      case "Esc":
        cancel();
        if (!list.hidden) {
          event.preventDefault();  // a search field would also clear what was typed
          setOpen(false);
        }
        break;
      case "Tab":
        setOpen(false);
        break;
      default:
        break;
      }
    });

    input.addEventListener("blur", function () {
      cancel();
      setOpen(false);
    });

    // Pressing on an option must not take the focus from the box (which would close the list).
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    list.addEventListener("click", function (event) {
      var option = optionOf(event.target, list);
      if (option) {
        pick(option);
      }
    });
    if (input.form) {
      input.form.addEventListener("submit", function () {
        cancel();
        setOpen(false);
      });
    }
  }

  function start() {
    var boxes = document.querySelectorAll("input[data-suggest]");
    for (var i = 0; i < boxes.length; i += 1) {
      enhance(boxes[i], i);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
