// evaluate's report.html: renders the lists of the JSON block a page at a time, with filters and a search box.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var PAGE = 50; // items rendered at once: what keeps a 50,000-sentence list responsive
  var types = data.types || [], kinds = data.kinds || [];

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"}[c]; });
  }

  // one line of words with its entities marked: [start, end, type, kind] (end exclusive); wrong: word indices
  function line(words, ents, wrong, who) {
    var out = [], i = 0, bad = {};
    (wrong || []).forEach(function (j) { bad[j] = true; });
    function plain(a, b) {
      for (var j = a; j < b; j++) out.push(bad[j] ? "<u class=\"wrong\">" + esc(words[j]) + "</u>" : esc(words[j]));
    }
    ents.slice().sort(function (x, y) { return x[0] - y[0]; }).forEach(function (e) {
      plain(i, e[0]);
      var kind = kinds[e[3]] || {name: "", title: ""}, err = e[3] > 0;
      var badge = err ? "<b class=\"kind k-" + kind.name + "\">" + esc(kind.title) + "</b>" : "";
      out.push("<mark class=\"ent c" + e[2] + (err ? " err" : "") + "\" title=\"" + esc(types[e[2]] + " \u00b7 " + kind.title) +
               "\">" + words.slice(e[0], e[1]).map(esc).join(" ") + "<sub>" + esc(types[e[2]]) + "</sub>" + badge + "</mark>");
      i = e[1];
    });
    plain(i, words.length);
    return "<div class=\"row\"><span class=\"who\">" + esc(who) + "</span><span class=\"words\">" + out.join(" ") + "</span></div>";
  }

  var RESULT = ["A right", "B right", "neither right"];
  var render = {
    sentences: function (it) {
      return line(it.w, it.g, null, "gold") + line(it.w, it.p, it.x, "predicted");
    },
    compare: function (it) {
      return "<div class=\"verdict r" + it.r + "\">" + RESULT[it.r] + "</div>" + line(it.w, it.g, null, "gold") +
        line(it.w, it.a, it.xa, "A") + line(it.w, it.b, it.xb, "B");
    },
    texts: function (it) {
      var names = function (ids) { return ids.map(function (c) { return "<mark class=\"cls c" + c + "\">" + esc(types[c]) + "</mark>"; }).join(" ") || "<i>none</i>"; };
      var num = function (x) { return "<b>" + esc(Number(x).toPrecision(4)) + "</b>"; };
      var text = "<div class=\"text\">" + esc(it.t) + (it.t2 ? "<br><span class=\"second\">" + esc(it.t2) + "</span>" : "") + "</div>";
      var two = it.b !== undefined, values = it.v !== undefined;
      var row = "gold: " + (values ? num(it.v[0]) : names(it.g)) + " \u00b7 " + (two ? "A" : "predicted") + ": " +
        (values ? num(it.v[1]) : names(it.p));
      if (two) row += " \u00b7 B: " + (values ? num(it.v[2]) : names(it.b)) + " <span class=\"verdict r" + it.r + "\">" + RESULT[it.r] + "</span>";
      if (it.c !== undefined) row += " <span class=\"conf\">confidence " + (100 * it.c).toFixed(1) + "%</span>";
      return text + "<div class=\"meta\">" + row + "</div>";
    }
  };

  function setUp(spec) {
    var root = document.getElementById(spec.id);
    var items = spec.items, shown = items, page = 0;
    items.forEach(function (it) { it._s = (it.w ? it.w.join(" ") : it.t + " " + (it.t2 || "")).toLowerCase(); });
    var selects = root.querySelectorAll("select[data-filter]"), search = root.querySelector("input[type=search]");
    var list = root.querySelector(".items"), count = root.querySelector(".count"), pageno = root.querySelector(".pageno");
    var prev = root.querySelector(".prev"), next = root.querySelector(".next");

    function apply() {
      var wanted = [];
      selects.forEach(function (s) { if (s.value !== "") wanted.push([s.dataset.filter, s.value]); });
      var words = search.value.trim().toLowerCase();
      shown = items.filter(function (it) {
        for (var k = 0; k < wanted.length; k++) {
          if ((it.f[wanted[k][0]] || []).map(String).indexOf(wanted[k][1]) < 0) return false;
        }
        return !words || it._s.indexOf(words) >= 0;
      });
      page = 0;
      draw();
    }

    function draw() {
      var pages = Math.max(1, Math.ceil(shown.length / PAGE));
      var first = page * PAGE;
      list.start = first + 1;
      list.innerHTML = shown.slice(first, first + PAGE).map(function (it) {
        // where the item is in the split: the line of the text file (tokens), the text's number (texts)
        var where = it.n !== undefined ? "<span class=\"where\">" + esc(data.unit || "item") + " " + (it.n + 1) + "</span>" : "";
        return "<li class=\"item\">" + where + render[spec.render](it) + "</li>";
      }).join("") || "<li class=\"none\">" + esc(root.dataset.empty) + "</li>";
      count.textContent = shown.length + " of " + items.length + " shown";
      pageno.textContent = "page " + (page + 1) + " of " + pages;
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
    }

    selects.forEach(function (s) { s.addEventListener("change", apply); });
    search.addEventListener("input", apply);
    prev.addEventListener("click", function () { page -= 1; draw(); root.scrollIntoView(); });
    next.addEventListener("click", function () { page += 1; draw(); root.scrollIntoView(); });
    draw();
  }

  data.lists.forEach(setUp);
  document.body.dataset.ready = "1"; // for the browser test: the script ran to its end
})();
