/* The languages list gets a search box that leaves only the names matching what is typed
 * (chosen ones stay). */
(function () {
  "use strict";
  var languages = document.getElementById("f-languages");
  if (!languages) { return; }
  var filter = document.createElement("input");
  filter.type = "search";
  filter.id = "f-languages-filter";
  filter.placeholder = languages.dataset.filter;
  filter.setAttribute("aria-label", languages.dataset.filter);
  filter.setAttribute("aria-controls", languages.id);
  filter.addEventListener("input", function () {
    var words = filter.value.trim().toLowerCase();
    Array.prototype.forEach.call(languages.options, function (option) {
      option.hidden = words !== "" && !option.selected &&
        option.text.toLowerCase().indexOf(words) < 0;
    });
  });
  languages.parentNode.insertBefore(filter, languages);
})();

/* The activity form shows only the date fields the chosen kind of date needs: one session for
 * "One date", several for "Several sessions", the first session and the repeat builder for
 * "Repeats", the duration for "Always open". Hidden fields are disabled, so they are not sent;
 * the server checks every combination all the same. */
(function () {
  "use strict";
  var form = document.getElementById("activity-form");
  var kind = document.getElementById("f-schedule_kind");
  var every = document.getElementById("f-repeat_every");
  if (!form || !kind || !every) { return; }
  var rows = Array.prototype.slice.call(form.querySelectorAll(".session-row"));
  function toggle(element, shown) {
    element.hidden = !shown;
    element.querySelectorAll("input, select, textarea").forEach(function (field) {
      field.disabled = !shown;
    });
  }
  function show() {
    var chosen = kind.value;
    rows.forEach(function (row, number) {
      toggle(row, chosen === "multi_session" || (number === 0 && chosen !== "always_open"));
    });
    form.querySelectorAll("[data-for-kinds]").forEach(function (element) {
      toggle(element, element.dataset.forKinds.split(" ").indexOf(chosen) >= 0);
    });
    if (chosen === "recurring") {
      form.querySelectorAll("[data-for-repeats]").forEach(function (element) {
        toggle(element, element.dataset.forRepeats.split(" ").indexOf(every.value) >= 0);
      });
    }
  }
  kind.addEventListener("change", show);
  every.addEventListener("change", show);
  show();
})();
