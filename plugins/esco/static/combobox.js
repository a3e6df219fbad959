/* ESCO skill autocomplete: the ARIA 1.2 combobox pattern (list autocomplete) on top of a plain
   search form, which keeps working without JavaScript.  Our own code, no dependency. */
(function () {
  "use strict";
  var DELAY = 150;

  function setup(input) {
    var form = input.form;
    var listbox = document.createElement("ul");
    var status = document.createElement("p");
    var options = [];
    var active = -1;
    var timer = null;
    var serial = 0;
    listbox.id = input.id + "-listbox";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", input.labels.length ? input.labels[0].textContent : "");
    listbox.className = "esco-listbox";
    listbox.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.parentNode.appendChild(listbox);
    input.parentNode.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      options.forEach(function (li, i) { li.setAttribute("aria-selected", String(i === index)); });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({block: "nearest"});
      }
    }

    function choose(uri) {
      var how = input.getAttribute("data-esco-choose");
      if (how === "post") {
        var target = document.getElementById("esco-choose-form");
        target.elements.uri.value = uri;
        target.submit();
      } else if (how) {
        window.location.href = how + encodeURIComponent(uri);
      }
    }

    function render(results) {
      listbox.textContent = "";
      options = results.map(function (hit, i) {
        var li = document.createElement("li");
        li.id = listbox.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = hit.label;
        if (hit.matched !== hit.label) {
          var small = document.createElement("span");
          small.className = "muted";
          small.lang = hit.matched_language;
          small.textContent = " (" + hit.matched + ")";
          li.appendChild(small);
        }
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(hit.uri); });
        listbox.appendChild(li);
        li.dataset.uri = hit.uri;
        return li;
      });
      listbox.hidden = options.length === 0;
      input.setAttribute("aria-expanded", String(options.length > 0));
      status.textContent = options.length ? options.length + " \u2713" : "0";
      active = -1;
    }

    function fetchHits() {
      var q = input.value.trim();
      var mine = ++serial;
      if (q.length < 2) { close(); return; }
      var url = input.getAttribute("data-esco-combobox") + "?limit=8&type=" +
        encodeURIComponent(input.getAttribute("data-esco-type")) + "&q=" + encodeURIComponent(q);
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : {results: []}; })
        .then(function (data) { if (mine === serial) { render(data.results); } })
        .catch(close);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchHits, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && options.length) {
        event.preventDefault();
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight((active + 1) % options.length);
      } else if (event.key === "ArrowUp" && options.length) {
        event.preventDefault();
        highlight(active <= 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(options[active].dataset.uri);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", close);
    if (form) { form.setAttribute("data-esco-enhanced", ""); }
  }

  document.querySelectorAll("input[data-esco-combobox]").forEach(setup);
})();
