/* The skill picker: a search box that offers the city's skill catalogue as the person types
 * (GET data-search-url?q=&lang=, the page's language), chosen skills as chips with a remove
 * button. A combobox with a listbox (WAI-ARIA 1.2 pattern): arrow keys move through the
 * suggestions, Enter chooses, Escape closes; a status line says what was added or removed.
 * Without JavaScript the chips are ticked boxes and the typed name is looked up on the server;
 * with it, only the chips are sent. */
(function () {
  "use strict";
  var box = document.getElementById("f-skills");
  var input = document.getElementById("f-skill_add");
  if (!box || !window.fetch) { return; }
  var data = box.dataset;
  var chips = document.getElementById("skill-chips");
  var options = document.getElementById("skill-options");
  var status = document.getElementById("skill-status");
  var form = box.closest("form");
  var found = [];
  var active = -1;
  var timer = null;
  var asked = 0;

  function announce(text) { if (status) { status.textContent = text; } }
  function changed() { if (form) { form.dispatchEvent(new Event("input", {bubbles: true})); } }
  function chosen(uri) {
    return Array.prototype.some.call(chips.querySelectorAll("input[name='skills']"),
      function (field) { return field.value === uri; });
  }
  function removable(item) {
    var field = item.querySelector("input");
    var label = item.querySelector("label");
    var button = document.createElement("button");
    field.hidden = true;  // still ticked, still sent
    button.type = "button";
    button.className = "skill-remove";
    button.textContent = "×";
    button.setAttribute("aria-label", data.remove + ": " + label.textContent);
    button.addEventListener("click", function () {
      item.remove();
      announce(data.removed + " " + label.textContent);
      changed();
      if (input) { input.focus(); }
    });
    item.appendChild(button);
  }
  Array.prototype.forEach.call(chips.querySelectorAll(".skill-chip"), removable);
  if (!input) { return; }

  input.removeAttribute("name");  // the chips carry the choice; nothing is looked up by name
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", options.id);

  function close() {
    options.hidden = true;
    options.textContent = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    found = [];
    active = -1;
  }
  function highlight(number) {
    var items = options.querySelectorAll("[role='option']");
    active = number;
    Array.prototype.forEach.call(items, function (item, index) {
      item.setAttribute("aria-selected", index === number ? "true" : "false");
    });
    if (items[number]) {
      input.setAttribute("aria-activedescendant", items[number].id);
      items[number].scrollIntoView({block: "nearest"});
    }
  }
  function add(choice) {
    close();
    input.value = "";
    if (chosen(choice.uri)) { return; }
    var item = document.createElement("li");
    var field = document.createElement("input");
    var label = document.createElement("label");
    var id = "f-skill-new-" + chips.children.length + "-" + Date.now();
    item.className = "skill-chip";
    field.type = "checkbox";
    field.name = "skills";
    field.value = choice.uri;
    field.checked = true;
    field.id = id;
    label.htmlFor = id;
    label.title = choice.uri;
    label.textContent = choice.label;
    item.appendChild(field);
    item.appendChild(label);
    chips.appendChild(item);
    removable(item);
    announce(data.added + " " + choice.label);
    changed();
  }
  function show(results) {
    close();
    found = results.filter(function (choice) { return !chosen(choice.uri); });
    if (!found.length) { announce(data.none); return; }
    found.forEach(function (choice, index) {
      var item = document.createElement("li");
      item.id = "skill-option-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.textContent = choice.label;
      // mousedown, not click: the box must not lose its focus (and close the list) first.
      item.addEventListener("mousedown", function (event) { event.preventDefault(); add(choice); });
      options.appendChild(item);
    });
    options.hidden = false;
    input.setAttribute("aria-expanded", "true");
    announce(found.length + " " + data.count);
  }
  function find() {
    var query = input.value.trim();
    if (query.length < 2) { close(); return; }
    var mine = ++asked;
    announce(data.searching);
    fetch(data.searchUrl + "?q=" + encodeURIComponent(query) + "&lang=" + encodeURIComponent(data.lang),
          {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (mine !== asked) { return; }  // an older answer arriving late
        if (answer.error) { announce(answer.error); return; }
        show(answer.results);
      })
      .catch(function () { if (mine === asked) { announce(data.failed); } });
  }
  input.addEventListener("input", function (event) {
    event.stopPropagation();  // typing a search is not a change of the form (autosave)
    clearTimeout(timer);
    timer = setTimeout(find, 250);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && found.length) {
      event.preventDefault();
      highlight((active + 1) % found.length);
    } else if (event.key === "ArrowUp" && found.length) {
      event.preventDefault();
      highlight(active <= 0 ? found.length - 1 : active - 1);
    } else if (event.key === "Enter") {
      event.preventDefault();  // never sends the whole form from the search box
      if (found.length) { add(found[active < 0 ? 0 : active]); }
    } else if (event.key === "Escape" && !options.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
