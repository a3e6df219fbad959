/* A small rich-text editor for textareas marked data-rich-text: bold, lists and links, and no
 * markup to see. The textarea stays the form's field (hidden, kept in step), so the form posts
 * the same HTML without JavaScript; the server keeps only the tags it allows (nh3).
 * No packaged editor fits (XStatic offers only CKEditor 3, from 2012, and markItUp, which shows
 * markup), so this uses the browser's own contenteditable. Labels come from data-* attributes. */
(function () {
  "use strict";
  if (!document.execCommand) { return; }
  document.querySelectorAll("textarea[data-rich-text]").forEach(function (area) {
    var labels = area.dataset;
    var toolbar = document.createElement("div");
    var box = document.createElement("div");
    toolbar.className = "editor-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", labels.toolbar);
    toolbar.setAttribute("aria-controls", area.id + "-editor");
    box.id = area.id + "-editor";
    box.className = "editor";
    box.contentEditable = "true";
    box.setAttribute("role", "textbox");
    box.setAttribute("aria-multiline", "true");
    var label = document.querySelector("label[for='" + area.id + "']");
    if (label && label.id) { box.setAttribute("aria-labelledby", label.id); }
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (area.hasAttribute(name)) { box.setAttribute(name, area.getAttribute(name)); }
    });
    box.innerHTML = area.value;  // already sanitised by the server
    function sync() { area.value = box.innerHTML; }
    [["bold", labels.bold, "B"], ["insertUnorderedList", labels.bullets, "•"],
     ["insertOrderedList", labels.numbers, "1."], ["createLink", labels.link, "🔗"],
     ["unlink", labels.unlink, "⛓"]].forEach(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "editor-tool";
      button.dataset.command = tool[0];
      button.title = tool[1];
      button.setAttribute("aria-label", tool[1]);
      button.textContent = tool[2];
      // Keep the selection in the text while the button is pressed.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        box.focus();
        if (tool[0] === "createLink") {
          var url = window.prompt(labels.linkPrompt, "https://");
          if (!url || !url.trim() || url.trim() === "https://") { return; }
          url = url.trim();
          if (!/^(https?:|mailto:)/i.test(url)) { url = "https://" + url; }
          document.execCommand("createLink", false, url);
        } else {
          document.execCommand(tool[0], false, null);
        }
        sync();
        box.dispatchEvent(new Event("input", {bubbles: true}));  // autosave hears it
      });
      toolbar.appendChild(button);
    });
    // Pasted text arrives plain: other sites' styles would only be stripped by the server.
    box.addEventListener("paste", function (event) {
      event.preventDefault();
      document.execCommand("insertText", false, event.clipboardData.getData("text/plain"));
    });
    box.addEventListener("input", sync);
    box.addEventListener("focus", function () {
      document.execCommand("defaultParagraphSeparator", false, "p");
    });
    area.hidden = true;
    area.removeAttribute("required");
    area.parentNode.insertBefore(toolbar, area);
    area.parentNode.insertBefore(box, area);
  });
})();
