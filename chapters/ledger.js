// The claims ledger page's script (chapters/ledger.md, nkreport/chapters/ledger.py; the build copies
// it beside the page, and only that page loads it). The claims arrive as
// data (the first rows inline, the rest in ledger-data/claims-NNN.js, loaded after first paint with
// script tags, which work over file:// where fetch() does not). Only the rows on screen are
// rendered into the table; search and sort run over every row. A #claim-<id> link renders and
// scrolls to its row. Every data text is set with textContent: shown, never run as markup.
// Plain JavaScript with no library and no network access.
(function () {
  var PAGE = 100; // rows rendered at a time
  var app, table, body, input, count, loading, earlier, more;
  var rows = [], byId = {}, loaded = 0, total = 0, chunks = 0, next = 1;
  var view = [], start = 0, end = 0, sortColumn = -1, ascending = true, pending = null;
  // Row fields (nkreport/chapters/ledger.py FIELDS): each column's text and sort key positions.
  var ID = 0, SOURCES = 13, CHECKED_URL = 16;
  var TEXT = [2, 4, 5, 6, 8, 9, 10, 12, 17, SOURCES, 15, ID];
  var SORT = [1, 3, 5, 6, 7, 9, 10, 12, 17, SOURCES, 14, ID];

  function sortKey(r, column) {
    var v = r[SORT[column]];
    return column === TEXT.indexOf(SOURCES) ? v.map(function (s) { return s[2]; }).join(" ") : v;
  }

  function add(batch) {
    batch.forEach(function (r) {
      if (byId[r[ID]]) return;
      byId[r[ID]] = r;
      // What the search matches: every column's text, as a reader sees it.
      r.search = TEXT.map(function (i) { return i === SOURCES ? r[i].map(function (s) { return s[2]; }).join(" ") : r[i]; })
        .join(" ").toLowerCase();
      rows.push(r);
    });
    loaded = rows.length;
  }

  function compare(a, b) {
    var x = sortKey(a, sortColumn), y = sortKey(b, sortColumn);
    var nx = parseFloat(x), ny = parseFloat(y);
    var order = (!isNaN(nx) && !isNaN(ny) && String(nx) === x && String(ny) === y) ? nx - ny : x.localeCompare(y);
    return ascending ? order : -order;
  }

  function refresh() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    view = rows.filter(function (r) {
      return words.every(function (w) { return r.search.indexOf(w) !== -1; });
    });
    if (sortColumn >= 0) view.sort(compare);
    var text = words.length ? view.length + " of " + total + " claims match" : total + " claims";
    if (count.textContent !== text) count.textContent = text;
    loading.textContent = loaded < total ? "(loading: " + loaded + " of " + total + " searched so far)" : "";
  }

  function cell(tr, text) {
    var td = document.createElement("td");
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function link(parent, href, text, title) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    if (title) a.title = title;
    parent.appendChild(a);
  }

  function renderRow(r) {
    var tr = document.createElement("tr");
    tr.id = "claim-" + r[ID];
    TEXT.forEach(function (i, column) {
      if (i === SOURCES) {
        var td = cell(tr, "");
        r[i].forEach(function (s, n) {
          if (n) td.appendChild(document.createElement("br"));
          link(td, s[1], s[2], s[0]);
        });
      } else if (i === 15) {
        link(cell(tr, ""), r[CHECKED_URL], r[i]);
      } else if (i === ID) {
        var code = document.createElement("code");
        code.textContent = r[i];
        cell(tr, "").appendChild(code);
      } else {
        var td2 = cell(tr, r[i]);
        if (i === 10) td2.title = r[11];
      }
    });
    return tr;
  }

  function render() {
    end = Math.min(view.length, Math.max(end, start + PAGE));
    var fragment = document.createDocumentFragment();
    for (var k = start; k < end; k++) fragment.appendChild(renderRow(view[k]));
    body.replaceChildren(fragment);
    earlier.hidden = start === 0;
    more.hidden = end >= view.length;
  }

  // Render the next rows below those rendered, leaving those (and the page's :target) in place.
  function extend(rows) {
    var fragment = document.createDocumentFragment();
    var stop = Math.min(view.length, end + rows);
    for (var k = end; k < stop; k++) fragment.appendChild(renderRow(view[k]));
    body.appendChild(fragment);
    end = stop;
    more.hidden = end >= view.length;
  }

  function reset() {
    refresh();
    start = 0;
    end = 0;
    render();
  }

  function showClaim(id) {
    var r = byId[id];
    if (!r) {
      pending = id;
      if (loaded >= total) {
        pending = null;
        loading.textContent = "No claim " + id + " in this ledger.";
      }
      return;
    }
    pending = null;
    var tr = document.getElementById("claim-" + id);
    if (!tr) {
      var k = view.indexOf(r);
      if (k < 0) { // filtered out: clear the search so the claim can be shown
        input.value = "";
        refresh();
        k = view.indexOf(r);
      }
      start = Math.max(0, k - 10);
      end = 0;
      render();
      tr = document.getElementById("claim-" + id);
    }
    tr.classList.add("ledger-target");
    if (document.querySelector(":target") !== tr && location.hash === "#claim-" + id) {
      // The row was not there when the browser followed the link: follow it again, so the row
      // becomes the page's :target and the browser scrolls to it as to any anchor.
      history.replaceState(history.state, "", "#");
      location.replace("#claim-" + id);
    }
    tr.scrollIntoView();
  }

  function fromHash() {
    var prior = document.querySelector("tr.ledger-target");
    if (prior) prior.classList.remove("ledger-target");
    if (location.hash.indexOf("#claim-") === 0) showClaim(decodeURIComponent(location.hash.slice(7)));
  }

  function loadNext() {
    if (next > chunks) return;
    var script = document.createElement("script");
    script.src = app.getAttribute("data-chunk-base") + "claims-" + ("00" + next).slice(-3) + ".js";
    script.onload = loadNext;
    script.onerror = function () { loading.textContent = "Could not load " + script.src + "; search covers " + loaded + " claims."; };
    next += 1;
    document.head.appendChild(script);
  }

  // Each data file calls this with its number and rows.
  window.nkreportLedgerChunk = function (number, batch) {
    add(batch);
    refresh();
    // New rows join the view; the table changes only where the reader would see them.
    if (sortColumn >= 0 || input.value.trim()) render();
    else if (end < start + PAGE) extend(start + PAGE - end);
    else more.hidden = end >= view.length;
    if (pending) showClaim(pending);
  };

  document.addEventListener("DOMContentLoaded", function () {
    app = document.querySelector(".ledger-app");
    if (!app) return;
    table = app.querySelector("table.ledger-table");
    body = table.tBodies[0];
    input = document.getElementById("ledger-search");
    count = document.getElementById("ledger-count");
    loading = app.querySelector(".ledger-loading");
    earlier = app.querySelector(".ledger-earlier");
    more = app.querySelector(".ledger-more");
    total = parseInt(app.getAttribute("data-total"), 10);
    chunks = parseInt(app.getAttribute("data-chunks"), 10);
    add(JSON.parse(app.querySelector("script.ledger-rows").textContent));
    reset();

    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(reset, rows.length > 5000 ? 150 : 0);
    });
    more.querySelector("button").addEventListener("click", function () { extend(PAGE); });
    earlier.querySelector("button").addEventListener("click", function () {
      start = Math.max(0, start - PAGE);
      render();
    });
    // Scrolling near the end of the rendered rows renders the next ones.
    if ("IntersectionObserver" in window) {
      new IntersectionObserver(function (entries) {
        if (entries[0].isIntersecting && end < view.length) extend(PAGE);
      }, {rootMargin: "600px"}).observe(more);
    }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      th.querySelector("button").addEventListener("click", function () {
        ascending = !(sortColumn === column && ascending);
        sortColumn = column;
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        reset();
      });
    });
    window.addEventListener("hashchange", fromHash);
    fromHash();
    // The other rows load once the first screen has painted.
    requestAnimationFrame(function () { setTimeout(loadNext, 0); });
  });
})();
