// Progressive help for the console: copy buttons, a print button and a
// live filter of long lists. Every page works without it.
document.documentElement.classList.add('js');
document.addEventListener('DOMContentLoaded', function () {
  // A second click while a form is on its way would post it twice.
  document.querySelectorAll('form[method=post]').forEach(function (f) {
    f.addEventListener('submit', function (e) {
      if (f.dataset.sent) { e.preventDefault(); return; }
      f.dataset.sent = '1';
    });
  });
  document.querySelectorAll('button.copy[data-copy]').forEach(function (b) {
    if (!navigator.clipboard) return;
    b.hidden = false;
    var label = b.textContent;
    b.addEventListener('click', function () {
      var el = document.getElementById(b.dataset.copy);
      navigator.clipboard.writeText(el.textContent).then(function () {
        b.textContent = '✓ ' + label;
        setTimeout(function () { b.textContent = label; }, 2000);
      });
    });
  });
  document.querySelectorAll('button.print').forEach(function (b) {
    b.hidden = false;
    b.addEventListener('click', function () { window.print(); });
  });
  document.querySelectorAll('input.filter[data-filter]').forEach(function (input) {
    var table = document.getElementById(input.dataset.filter);
    if (!table) return;
    input.hidden = false;
    var label = document.querySelector('label[for="' + input.id + '"]');
    if (label) label.hidden = false;
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase();
      table.querySelectorAll('tbody tr').forEach(function (tr) {
        tr.hidden = q !== '' && tr.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  });
  var summary = document.querySelector('.errors');
  if (summary) summary.focus();
});
