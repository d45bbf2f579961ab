// Search as you type and filter over the prebuilt index of the page. The
// page's own list of every product is what a browser without JavaScript
// shows; with it, that list is hidden and the matches are drawn in a second
// list, at most LIMIT of them until asked for all: laying out thousands of
// rows on every keystroke is what would be slow.
(function () {
  "use strict";
  var node = document.getElementById("search-index");
  var form = document.getElementById("search");
  var list = document.getElementById("products");
  var results = document.getElementById("results");
  var more = document.getElementById("more");
  if (!node || !form || !list || !results || !more) return;
  var data = JSON.parse(node.textContent);
  var rows = list.children;
  var n = data.products.length;
  var hay = new Array(n);
  for (var i = 0; i < n; i++) {
    var p = data.products[i];
    var parts = [p.id, p.t, p.d, p.dm, p.tm].concat(p.tg || []);
    var f = p.f || [];
    for (var j = 0; j < f.length; j++) parts.push(data.fields[f[j]]);
    hay[i] = parts.join("\n").toLowerCase();
  }
  var q = form.querySelector("input[name=q]");
  var selects = form.querySelectorAll("select");
  var count = document.getElementById("count");
  var LIMIT = 200, limit = LIMIT;
  var pending = false, applied = 0;
  function has(list, v) { return (list || []).indexOf(v) >= 0; }
  function apply() {
    pending = false;
    var t0 = performance.now();
    var terms = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var want = {};
    for (var s = 0; s < selects.length; s++) if (selects[s].value) want[selects[s].name] = selects[s].value;
    var matches = 0, drawn = document.createDocumentFragment();
    for (var i = 0; i < n; i++) {
      var p = data.products[i], ok = true;
      if (want.domain && p.dm !== want.domain) ok = false;
      else if (want.team && p.tm !== want.team) ok = false;
      else if (want.status && p.st !== want.status) ok = false;
      else if (want.classification && p.cl !== want.classification) ok = false;
      else if (want.port && !has(p.pt, want.port)) ok = false;
      else if (want.tag && !has(p.tg, want.tag)) ok = false;
      else if (want.level && p.lv !== want.level) ok = false;
      for (var k = 0; ok && k < terms.length; k++) if (hay[i].indexOf(terms[k]) < 0) ok = false;
      if (!ok) continue;
      if (matches < limit) drawn.appendChild(rows[i].cloneNode(true));
      matches++;
    }
    var shown = Math.min(matches, limit);
    results.replaceChildren(drawn);
    count.textContent = matches + " of " + n + " products" + (shown < matches ? ", the first " + shown + " shown" : "");
    more.hidden = shown === matches;
    more.textContent = "Show all " + matches;
    var body = document.body;
    body.setAttribute("data-search-ms", (performance.now() - t0).toFixed(1));
    body.setAttribute("data-shown", String(matches));
    body.setAttribute("data-query", q.value);
    body.setAttribute("data-applied", String(++applied));
    // When the frame with the new list has been drawn: what the user waits.
    var query = q.value;
    requestAnimationFrame(function () {
      setTimeout(function () {
        body.setAttribute("data-paint-ms", (performance.now() - t0).toFixed(1));
        body.setAttribute("data-painted", query);
      }, 0);
    });
  }
  function schedule() {
    if (!pending) { pending = true; requestAnimationFrame(apply); }
  }
  form.hidden = false;
  list.hidden = true;
  results.hidden = false;
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  q.addEventListener("input", function () { limit = LIMIT; schedule(); });
  for (var s = 0; s < selects.length; s++) selects[s].addEventListener("change", function () { limit = LIMIT; schedule(); });
  more.addEventListener("click", function () { limit = Infinity; schedule(); });
  apply();
})();
