// Enhances the phone form; the form works fully without it.
// 1. Shows and hides questions as earlier answers change, with the same
//    conditions the server checks (forms.Condition).
// 2. Keeps the answers in the page when the connection drops, and sends
//    them when it comes back.
(function () {
  "use strict";
  var form = document.querySelector("form[data-sending]");
  if (!form) return;
  // A page that came back with problems, or with a message such as
  // "answer at least one question", shows it: focus moves there, so the
  // reader is taken to it, not left at the send button.
  var problems = document.querySelector(".errors") || document.querySelector(".banner[role=alert]");
  if (problems) { problems.tabIndex = -1; problems.focus(); }

  function answers() {
    var a = {};
    new FormData(form).forEach(function (v, k) {
      if (k.indexOf("q_") !== 0 || v === "") return;
      k = k.slice(2);
      (a[k] = a[k] || []).push(v);
    });
    return a;
  }
  function num(v) { var n = parseFloat(String(v).replace(",", ".")); return isNaN(n) ? null : n; }
  function same(v, want) {
    if (v === "yes") v = true; else if (v === "no") v = false;
    if (typeof want === "number") return num(v) === want;
    return v === want;
  }
  function holds(c, a) {
    if (!c) return true;
    if (c.all) return c.all.every(function (s) { return holds(s, a); });
    if (c.any) return c.any.some(function (s) { return holds(s, a); });
    var vs = a[c.item];
    if (c.not_answered) return !vs;
    if (c.answered) return !!vs;
    if (!vs || vs[0] === "prefer_not") return false;
    if (c.equals !== undefined) return vs.some(function (v) { return same(v, c.equals); });
    if (c["in"]) return vs.some(function (v) { return c["in"].some(function (w) { return same(v, w); }); });
    var n = num(vs[0]);
    if (n === null) return false;
    return (c.gt === undefined || n > c.gt) && (c.gte === undefined || n >= c.gte) &&
      (c.lt === undefined || n < c.lt) && (c.lte === undefined || n <= c.lte);
  }
  // Conditions are read once; answers are read again only after a
  // question appears or disappears, which is rare, rather than for every
  // question on every change: the page stays quick on a slow phone.
  var conditional = Array.prototype.map.call(form.querySelectorAll("[data-show-if]"), function (q) {
    return { el: q, cond: JSON.parse(q.getAttribute("data-show-if")), inputs: q.querySelectorAll("input,textarea") };
  });
  function update() {
    // Questions are in form order, so one pass sees earlier answers settled.
    var a = answers();
    conditional.forEach(function (q) {
      var show = holds(q.cond, a);
      if (q.el.hidden === !show) return;
      q.el.hidden = !show;
      q.inputs.forEach(function (i) { i.disabled = !show; });
      a = answers();
    });
  }
  // An exclusive option ("No, nothing") unticks the question's others, and
  // another option unticks it; the server refuses the two together.
  function exclusive(e) {
    var box = e.target;
    if (box.type !== "checkbox" || !box.checked) return;
    form.querySelectorAll('input[type=checkbox][name="' + box.name + '"]').forEach(function (other) {
      if (other !== box && (box.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive"))) other.checked = false;
    });
  }
  form.addEventListener("change", function (e) { exclusive(e); update(); });
  update();

  // A roster of many partners gets a box to find one by name; partners
  // already picked stay in sight, and a sector with none left hides.
  // "cafe" finds "Café", and "aeldre" or "ældre" finds "Ældre".
  function plain(s) {
    return s.toLowerCase().replace(/æ/g, "ae").replace(/ø/g, "o").replace(/å/g, "a")
      .normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/oe/g, "o").replace(/aa/g, "a");
  }
  form.querySelectorAll(".find").forEach(function (box) {
    var field = box.parentNode, input = box.querySelector("input"), none = box.querySelector(".none");
    box.hidden = false;
    input.addEventListener("input", function () {
      var q = plain(input.value.trim()), found = 0;
      field.querySelectorAll(".roster").forEach(function (list) {
        var any = false;
        list.querySelectorAll(".partner").forEach(function (p) {
          var show = !q || p.querySelector("input").checked || plain(p.querySelector("bdi").textContent).indexOf(q) >= 0;
          p.hidden = !show;
          any = any || show;
          if (show) found++;
        });
        list.hidden = !any;
        list.previousElementSibling.hidden = !any;
      });
      none.textContent = found ? "" : none.getAttribute("data-none");
    });
  });

  var status = form.querySelector(".status");
  var button = form.querySelector("button[type=submit]");
  function send() {
    status.textContent = form.getAttribute("data-sending");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (res) {
      return res.text().then(function (html) {
        document.open();
        document.write(html);
        document.close();
        // A reload shows the thanks again, not an empty form.
        var here = document.querySelector("[data-here]");
        if (here && history.replaceState) history.replaceState(null, "", here.getAttribute("data-here"));
        // A screen reader starts at the thanks, not at the top of nothing.
        if (here) {
          here.setAttribute("tabindex", "-1");
          here.focus();
        }
      });
    }, waitForConnection);
  }
  function waitForConnection() {
    button.disabled = false;
    status.textContent = form.getAttribute("data-offline");
    window.addEventListener("online", send, { once: true });
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (navigator.onLine === false) waitForConnection(); else send();
  });
})();
