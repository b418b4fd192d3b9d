(function () {
  var form = document.getElementById('filters');
  var tests = Array.prototype.slice.call(document.querySelectorAll('article.test'));
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-feature]'));
  var shown = document.getElementById('shown');
  var text = tests.map(function (a) { return a.textContent.toLowerCase(); });
  var params = new URLSearchParams(window.location.search);
  ['feature', 'result', 'target', 'q'].forEach(function (name) {
    if (params.has(name)) { form.elements[name].value = params.get(name); }
  });
  function matches(a, i) {
    var f = form.elements.feature.value, r = form.elements.result.value;
    var t = form.elements.target.value, q = form.elements.q.value.trim().toLowerCase();
    var runs = ' ' + a.getAttribute('data-runs') + ' ';
    if (f && a.getAttribute('data-feature') !== f) { return false; }
    if (t && r && runs.indexOf(' ' + t + ':' + r + ' ') < 0) { return false; }
    if (t && !r && runs.indexOf(' ' + t + ':') < 0) { return false; }
    if (!t && r && a.getAttribute('data-result') !== r) { return false; }
    return !q || text[i].indexOf(q) >= 0;
  }
  function apply() {
    var visible = {}, count = 0;
    tests.forEach(function (a, i) {
      var ok = matches(a, i);
      a.hidden = !ok;
      if (ok) { count++; visible[a.getAttribute('data-feature')] = true; }
    });
    rows.forEach(function (row) { row.hidden = !visible[row.getAttribute('data-feature')]; });
    shown.textContent = count + ' of ' + tests.length + ' tests shown';
  }
  function remember() {
    var next = new URLSearchParams();
    ['feature', 'result', 'target', 'q'].forEach(function (name) {
      if (form.elements[name].value) { next.set(name, form.elements[name].value); }
    });
    var query = next.toString();
    history.replaceState(null, '', query ? '?' + query : window.location.pathname);
  }
  form.addEventListener('input', function () { apply(); remember(); });
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  document.addEventListener('keydown', function (e) {
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName);
    if (typing || e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (e.key === '/') { e.preventDefault(); form.elements.q.focus(); }
    if (e.key === 'f') {
      var failed = tests.filter(function (a) {
        return !a.hidden && a.getAttribute('data-result') === 'failed';
      });
      if (failed.length === 0) { return; }
      var next = failed.find(function (a) { return a.getBoundingClientRect().top > 1; });
      var target = next || failed[0];
      target.scrollIntoView();
      target.querySelector('h3').focus();
    }
  });
  apply();
})();
