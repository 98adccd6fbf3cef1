// Billing data form: hide the tax-id field while "private person" is chosen, and the
// request for advance invoices while "company" is chosen (a company gets them anyway).
// Only a convenience: the server decides which fields apply from the chosen kind.
(function () {
  "use strict";
  var form = document.querySelector("[data-billing-form]");
  if (!form) { return; }
  var company = form.querySelector("[data-company-only]");
  var person = form.querySelector("[data-private-only]");
  function update() {
    var chosen = form.querySelector("input[name=kind]:checked");
    company.hidden = !!chosen && chosen.value === "private";
    if (person) { person.hidden = !!chosen && chosen.value === "company"; }
  }
  form.addEventListener("change", update);
  update();
})();
