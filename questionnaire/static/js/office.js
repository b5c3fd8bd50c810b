/* Office pages: ask before an action that residents will notice (a form with data-confirm).
   A separate file because the CSP allows no inline script; without JavaScript the form simply submits. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
})();
