// The admin's export page: « Select all » ticks or unticks every column. django-import-export binds it
// with an inline onchange attribute, which the Content-Security-Policy refuses; its own function is
// reused here (import_export/export_selectable_fields.js, loaded before this file).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".select-toggle").forEach((toggle) => {
    toggle.addEventListener("change", onSelectToggleChange); // eslint-disable-line no-undef
  });
});
