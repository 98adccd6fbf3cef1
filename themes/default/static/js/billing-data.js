// Billing data form: hide the tax-id field while "private person" is chosen.
// Only a convenience: the server decides which fields apply from the chosen kind.
(function () {
  "use strict";
  var form = document.querySelector("[data-billing-form]");
  if (!form) { return; }
  var company = form.querySelector("[data-company-only]");
  function update() {
    var chosen = form.querySelector("input[name=kind]:checked");
    company.hidden = !!chosen && chosen.value === "private";
  }
  form.addEventListener("change", update);
  update();
})();
