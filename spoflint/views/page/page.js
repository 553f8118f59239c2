(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("model").textContent);
  var W = 160, H = 24, GAP = 8, COL = 230, TOP = 40, LEFT = 16;
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  var spofs = {}, hit = {}, byId = {};
  data.single_points.forEach(function (p) {
    spofs[p.element] = p;
    p.services.concat(p.data).forEach(function (s) { hit[s] = true; });
  });
  document.getElementById("title").textContent = data.name;
  document.getElementById("notes").innerHTML = data.notes.map(function (n) {
    return '<div class="note">' + esc(n) + "</div>";
  }).join("");
  var place = {}, used = [];
  var rows = 0;
  data.elements.forEach(function (e) {
    if (e.position && used.indexOf(e.position.column) < 0) used.push(e.position.column);
  });
  used.sort(function (a, b) { return a - b; });  // empty layers take no room
  var next = {};  // rows among the elements drawn (a large estate draws only some)
  data.elements.forEach(function (e) {
    byId[e.id] = e;
    if (!e.position) return;
    var row = next[e.position.column] || 0;
    next[e.position.column] = row + 1;
    var x = LEFT + used.indexOf(e.position.column) * COL, y = TOP + row * (H + GAP);
    place[e.id] = {x: x, y: y};
    rows = Math.max(rows, row + 1);
  });
  var width = LEFT * 2 + used.length * COL, height = TOP + rows * (H + GAP) + 20;
  var parts = ['<svg id="graph" width="' + width + '" height="' + height + '" viewBox="0 0 ' + width + " " + height + '">'];
  used.forEach(function (column, i) {
    parts.push('<text class="layer-title" x="' + (LEFT + i * COL) + '" y="22">' + esc(data.layers[column]) + "</text>");
  });
  data.edges.forEach(function (edge, i) {
    var a = place[edge.from], b = place[edge.to];
    if (!a || !b) return;
    var x1, x2, d;
    var y1 = a.y + H / 2, y2 = b.y + H / 2;
    if (a.x === b.x) {  // same column (two network nodes): a curve out to the right
      x1 = a.x + W; x2 = b.x + W;
      d = "M" + x1 + "," + y1 + " C" + (x1 + 50) + "," + y1 + " " + (x2 + 50) + "," + y2 + " " + x2 + "," + y2;
    } else {
      var left = a.x < b.x ? a : b, right = a.x < b.x ? b : a;
      x1 = left.x + W; x2 = right.x;
      var ly = left.y + H / 2, ry = right.y + H / 2, mid = (x1 + x2) / 2;
      d = "M" + x1 + "," + ly + " C" + mid + "," + ly + " " + mid + "," + ry + " " + x2 + "," + ry;
    }
    var cls = "edge " + esc(edge.kind);
    if (edge.kind === "link") {
      if (spofs[edge.link]) cls += " spof";
      parts.push('<path class="' + cls + '" data-edge="' + i + '" d="' + d + '"/>');
      parts.push('<path class="hitbox" data-id="' + esc(edge.link) + '" d="' + d + '"><title>' + esc(edge.link) + "</title></path>");
    } else {
      parts.push('<path class="' + cls + '" data-edge="' + i + '" d="' + d + '"/>');
    }
  });
  data.elements.forEach(function (e) {
    var p = place[e.id];
    if (!p) return;
    var cls = "node";
    if (e.can_fail) cls += " can-fail";
    if (spofs[e.id]) cls += " spof"; else if (hit[e.id]) cls += " hit";
    var label = e.id.length > 26 ? e.id.slice(0, 25) + "\u2026" : e.id;
    parts.push('<g class="' + cls + '" data-id="' + esc(e.id) + '" transform="translate(' + p.x + "," + p.y + ')">' +
      '<rect width="' + W + '" height="' + H + '"></rect>' +
      '<text x="6" y="16">' + esc(label) + "</text><title>" + esc(e.id + " (" + (e.kind || e.section) + ")") + "</title></g>");
  });
  parts.push("</svg>");
  document.getElementById("drawing").innerHTML = parts.join("");

  function list(id, items, render) {
    var ul = document.getElementById(id);
    ul.innerHTML = items.map(render).join("");
    document.getElementById("none-" + id).hidden = items.length > 0;
  }
  function select(id) {
    var e = byId[id];
    document.querySelectorAll(".node.selected, .node.down").forEach(function (n) {
      n.classList.remove("selected"); n.classList.remove("down");
    });
    var node = document.querySelector('.node[data-id="' + CSS.escape(id) + '"]');
    if (node) node.classList.add("selected");
    var title = id + (e ? " (" + (e.kind || e.section) + ")" : "");
    document.getElementById("selected").textContent = title;
    var about = document.getElementById("about"), answer = document.getElementById("answer");
    var result = data.what_if[id];
    var point = spofs[id];
    var text = "";
    if (point) {
      text = "Single point of failure" + (point.services.length ? ": takes down " + point.services.join(", ") : "") +
        (point.data.length ? (point.services.length ? "; " : ": ") + "loses the data of " + point.data.join(", ") : "") + ".";
    }
    if (!result) {
      answer.hidden = true;
      if (e && !e.can_fail) {
        text += (text ? " " : "") + (e.section === "services" || e.section === "storage"
          ? "It fails through the hosts it runs on; click one of them."
          : "It does not fail by itself (an entry point, an external node, or outside the failure scope).");
        var by = data.single_points.filter(function (p) {
          return p.services.indexOf(id) >= 0 || p.data.indexOf(id) >= 0;
        }).map(function (p) { return p.element; });
        if (by.length) text += " Single points of failure that take it down: " + by.join(", ") + ".";
      } else {
        text += (text ? " " : "") + "Not precomputed here: run spoflint simulate --fail " + id + ".";
      }
      about.textContent = text;
      return;
    }
    about.textContent = text || "Not a single point of failure on its own.";
    answer.hidden = false;
    list("down", result.services_down, function (s) {
      return '<li data-service="' + esc(s.service) + '"><b>' + esc(s.service) + "</b>" +
        (s.public ? " (user-facing)" : "") + (s.down_before ? " (already down with nothing failed)" : "") +
        ': <span class="reason">' + esc(s.reason) + '</span><div class="chain">' + esc(s.chain.join(" \u2192 ")) + "</div></li>";
    });
    list("lost", result.data_lost, function (h) {
      return '<li data-holder="' + esc(h.holder) + '"><b>' + esc(h.holder) + '</b>: <span class="reason">' + esc(h.reason) + "</span></li>";
    });
    result.services_down.concat(result.data_lost.map(function (h) { return {service: h.holder}; })).forEach(function (s) {
      var n = document.querySelector('.node[data-id="' + CSS.escape(s.service) + '"]');
      if (n) n.classList.add("down");
    });
  }
  document.getElementById("drawing").addEventListener("click", function (event) {
    var target = event.target.closest("[data-id]");
    if (target) select(target.getAttribute("data-id"));
  });
})();
