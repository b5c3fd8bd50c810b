// Progressive enhancement only: the form works without this file.
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) return;
  var started = Date.now();
  var button = document.getElementById("submit-btn");

  function markError(fieldset, message) {
    fieldset.classList.add("q--error");
    var p = fieldset.querySelector(".q-error");
    if (!p) {
      p = document.createElement("p");
      p.className = "q-error";
      p.setAttribute("role", "alert");
      fieldset.insertBefore(p, fieldset.children[1] || null);
    }
    p.textContent = message;
  }

  form.addEventListener("change", function (ev) {
    var fieldset = ev.target.closest("fieldset");
    if (fieldset) {
      fieldset.classList.remove("q--error");
      var p = fieldset.querySelector(".q-error");
      if (p) p.parentNode.removeChild(p);
    }
  });

  form.addEventListener("submit", function (ev) {
    var first = null;
    var sets = form.querySelectorAll("fieldset[data-required='true']");
    for (var i = 0; i < sets.length; i++) {
      if (!sets[i].querySelector("input:checked") && !(sets[i].querySelector("textarea") || {}).value) {
        markError(sets[i], "此题为必答题");
        first = first || sets[i];
      }
    }
    if (first) {
      ev.preventDefault();
      first.scrollIntoView({ behavior: "smooth", block: "center" });
      return;
    }
    form.elements["client_ms"].value = String(Date.now() - started);
    // Keep the button from sending twice; the server treats a repeat as the same answer anyway.
    button.disabled = true;
    button.textContent = "正在提交…";
  });
})();
