/* Drafts save themselves a couple of seconds after each change, so nothing typed is lost.
 * A form opts in with data-autosave="on"; its status line (#autosave-status) carries the
 * messages to show in data-saved, data-failed and data-offline. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave='on']");
  var status = document.getElementById("autosave-status");
  if (!form || !status || !window.fetch) { return; }
  var timer = null;
  function save() {
    var data = new FormData(form);
    data.set("action", "autosave");
    // The attribute, not form.action: the form's "action" buttons shadow that property.
    fetch(form.getAttribute("action") || window.location.href,
          {method: "POST", body: data, credentials: "same-origin"})
      .then(function (r) { status.textContent = r.ok ? status.dataset.saved : status.dataset.failed; })
      .catch(function () { status.textContent = status.dataset.offline; });
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(save, 2000); });
})();
