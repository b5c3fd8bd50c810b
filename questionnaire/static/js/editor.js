/* Questionnaire editor: redraw the phone preview while the office types, and ask before deleting.
   The preview is the server's own rendering of the resident page (POSTed into the iframe by the
   editor form itself); without JavaScript the "刷新预览" button does the same. CSP: no inline script. */
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  if (!form) return;
  var timer = null;

  function refresh() {
    var action = form.getAttribute("action");
    var target = form.getAttribute("target");
    form.setAttribute("action", form.getAttribute("data-preview"));
    form.setAttribute("target", "preview");
    form.submit();  // no button value: the server treats it as a preview
    if (action === null) form.removeAttribute("action"); else form.setAttribute("action", action);
    if (target === null) form.removeAttribute("target"); else form.setAttribute("target", target);
  }

  function later() {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 700);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  form.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm-click]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm-click"))) {
      event.preventDefault();
    }
  });
})();
