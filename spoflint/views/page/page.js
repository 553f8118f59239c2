/* The page: zones of racks holding their hosts and network nodes, power and cooling
   feeding them, storage and services beneath; "if this fails" asked of the evaluator
   (evaluate.js) on demand. Data: spoflint.views.page_data, indexes into compact.ids. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("model").textContent);
  var C = D.compact, ids = C.ids, N = ids.length;
  var BW = 150, BH = 22, G = 6, RW = 170, HEAD = 24, ROW = 20, PAD = 10, MARGIN = 12, CELL = 10;
  var EXPAND = 400;  // "everything" opens with racks expanded while they hold at most this many boxes
  var FORCE = 3000;  // a selection expands the collapsed racks holding at most this many of its elements
  var DETAIL = 2;  // zoomed in past this (fit is at most 1.5), the collapsed racks in view open: detail on zoom
  var ZOOMED = 60;  // at most this many racks opened by zooming (past it, only those in view stay open)
  var CAN_FAIL = 1, SPOF = 2, PUBLIC = 4, HIT = 8, KIND = 16;
  var EDGE_KINDS = D.edge_kinds;

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  function column(values, length) {  // a compact column: one number, or deltas
    var out = new Array(length), sum = 0, i;
    for (i = 0; i < length; i++) {
      if (typeof values === "number") out[i] = values; else { sum += values[i]; out[i] = sum; }
    }
    return out;
  }

  // --- the elements ---------------------------------------------------------------------
  var section = new Array(N), start = {}, at = 0, index = Object.create(null);
  D.section_names.forEach(function (name, s) {
    start[name] = at;
    for (var k = 0; k < C.sections[s]; k++) section[at + k] = name;
    at += C.sections[s];
  });
  ids.forEach(function (id, i) { index[id] = i; });
  var nLinks = C.sections[D.section_names.indexOf("links")];
  var linkA = column(C.links.a, nLinks), linkB = column(C.links.b, nLinks);
  function isLink(i) { return section[i] === "links"; }
  function ends(i) { var k = i - start.links; return [linkA[k], linkB[k]]; }
  function flags(i) { return D.codes[i] % KIND; }
  function kind(i) { return D.kinds[Math.floor(D.codes[i] / KIND)]; }
  var balancers = {};
  if (C.services && C.services.load_balancer !== undefined) {
    column(C.services.load_balancer, C.sections[D.section_names.indexOf("services")]).forEach(function (b) {
      if (b >= 0) balancers[b] = true;
    });
  }

  // --- containment ------------------------------------------------------------------------
  var rackOf = {}, members = {}, tabsOf = {}, tabRack = {}, zoneOf = {}, powerUsers = {};
  D.members.forEach(function (m) {
    members[m[0]] = m[1];
    m[1].forEach(function (b) { rackOf[b] = m[0]; });
  });
  D.rack_power.forEach(function (r) {
    r[1].forEach(function (p) { powerUsers[p] = (powerUsers[p] || 0) + 1; });
  });
  D.rack_power.forEach(function (r) {
    tabsOf[r[0]] = r[1].filter(function (p) { return powerUsers[p] === 1; });
    tabsOf[r[0]].forEach(function (p) { tabRack[p] = r[0]; });
  });
  D.zones.forEach(function (z, k) {
    z[1].concat(z[2], z[3]).forEach(function (e) { zoneOf[e] = k; });
  });
  var spofs = D.single_points.map(function (p) {
    return {element: p[0], services: p[1], data: p[2], chain: p[3], data_chain: p[4]};
  });
  var spofOf = {};
  spofs.forEach(function (p) { spofOf[p.element] = p; });
  var rackSpof = {};
  spofs.forEach(function (p) { if (rackOf[p.element] !== undefined) rackSpof[rackOf[p.element]] = true; });
  var boxesInRacks = D.members.reduce(function (n, m) { return n + m[1].length; }, 0);

  // --- the glyphs: one small drawing per kind of element ----------------------------------
  var GLYPHS = {
    "switch": "M2 5h10M9 2l3 3-3 3M12 10H2M5 7l-3 3 3 3",
    router: "M7 1a6 6 0 1 0 0.01 0M7 3v8M3 7h8M5 5l2-2 2 2M5 9l2 2 2-2",
    firewall: "M1 2h12v10H1zM1 6h12M1 9h12M5 2v4M9 6v3M5 9v3",
    "lb-appliance": "M2 7h4M6 7l5-4M6 7l5 4M6 7h5",
    external: "M7 1a6 6 0 1 0 0.01 0M1 7h12M7 1c-3 3-3 9 0 12M7 1c3 3 3 9 0 12",
    feed: "M8 1L3 8h4l-1 5 5-7H7z",
    generator: "M7 1a6 6 0 1 0 0.01 0M4 7c1-3 2-3 3 0s2 3 3 0",
    ups: "M2 4h9v7H2zM11 6h2v3h-2M4 7.5h3M5.5 6v3",
    pdu: "M1 5h12v4H1zM3.5 7h0.1M6 7h0.1M8.5 7h0.1M11 7h0.1",
    cooling: "M7 1v12M2 4l10 6M2 10l10-6M5 1.5l2 2 2-2M5 12.5l2-2 2 2",
    rack: "M3 1h8v12H3zM3 4h8M3 7h8M3 10h8",
    host: "M1 2h12v4H1zM1 8h12v4H1zM3 4h0.1M3 10h0.1",
    storage: "M2 3c0-2 10-2 10 0v8c0 2-10 2-10 0zM2 3c0 2 10 2 10 0",
    service: "M7 1l5.2 3v6L7 13l-5.2-3V4z",
    balancer: "M2 7h4M6 7l5-4M6 7l5 4M6 7h5M10 2l1.5 1-1 1.5M10 12l1.5-1-1-1.5",
    zone: "M1 1h12v12H1z",
    link: "M1 7h12"
  };
  function glyphOf(i) {
    var s = section[i], k = kind(i);
    if (s === "services") return balancers[i] ? "balancer" : "service";
    if (s === "storage") return "storage";
    return GLYPHS[k] ? k : (s === "network" ? "switch" : "host");
  }
  function glyph(name, x, y) {
    return '<path class="glyph" transform="translate(' + x + "," + y + ')" d="' + GLYPHS[name] + '"/>';
  }

  // --- what is shown ------------------------------------------------------------------------
  var state = {view: D.everything || !spofs.length ? "all" : "spof", selected: -1, result: null, lit: {},
               extra: {}, expanded: {}, forced: {}, zoomed: {}, step: -1};
  var s0 = 1, tx = 0, ty = 0, fitted = true;  // zoom and pan of the world; fitted: no zoom by hand since fit
  var pos = {}, drawn = {}, contentW = 0, contentH = 0, right = 0;  // right: the rightmost edge drawn so far
  var rackBox = {};  // each rack drawn: its frame (x, y, w, h)

  function spofSet() {
    var shown = {};
    function add(i) {
      if (isLink(i)) { shown[i] = true; ends(i).forEach(function (e) { shown[e] = true; }); } else shown[i] = true;
    }
    spofs.forEach(function (p) {
      [[p.element], p.services, p.data, p.chain, p.data_chain].forEach(function (list) { list.forEach(add); });
    });
    return shown;
  }
  function shownSet() {
    var shown = {}, i;
    if (state.view === "all") { for (i = 0; i < N; i++) if (!isLink(i)) shown[i] = true; } else shown = spofSet();
    Object.keys(state.extra).forEach(function (k) {
      var e = +k;
      shown[e] = true;
      if (isLink(e)) ends(e).forEach(function (x) { shown[x] = true; });
    });
    Object.keys(shown).forEach(function (k) {  // a shown box shows its rack; a shown tab, its rack
      var e = +k;
      if (rackOf[e] !== undefined) shown[rackOf[e]] = true;
      if (tabRack[e] !== undefined) shown[tabRack[e]] = true;
    });
    return shown;
  }
  function expandedRack(r) {
    if (state.forced[r] || state.expanded[r] !== undefined) return state.forced[r] || state.expanded[r];
    return state.view !== "all" || boxesInRacks <= EXPAND || !!state.zoomed[r];
  }

  // --- layout and drawing -------------------------------------------------------------------
  var here = [0, 0, 0, 0, -1];  // the box (x, y, w, h, element) the next put(...) stands in
  function put(out, svg) { out.push([svg, here[0], here[1], here[2], here[3], here[4]]); }
  function nodeSvg(i, x, y, w, h, extraClass, label) {  // placed now, written when drawn (see emit)
    here = [x, y, w, h, i];
    right = Math.max(right, x + w);
    pos[i] = {x: x, y: y, w: w, h: h};
    drawn[i] = true;
    return function () { return nodeText(i, x, y, w, h, extraClass, label); };
  }
  function nodeText(i, x, y, w, h, extraClass, label) {
    var f = flags(i), cls = "node k-" + esc(kind(i)) + (extraClass ? " " + extraClass : "");
    if (f & CAN_FAIL) cls += " can-fail";
    if (f & SPOF) cls += " spof"; else if (f & HIT) cls += " hit";
    var text = label === undefined ? ids[i] : label, room = Math.floor((w - 26) / 6.2);
    if (text.length > room) text = text.slice(0, Math.max(1, room - 1)) + "\u2026";
    return '<g class="' + cls + '" data-id="' + esc(ids[i]) + '" transform="translate(' + x + "," + y + ')">' +
      '<rect width="' + w + '" height="' + h + '" rx="4"></rect>' + glyph(glyphOf(i), 4, (h - 14) / 2) +
      '<text x="22" y="' + (h / 2 + 4) + '">' + esc(text) + "</text><title>" +
      esc(ids[i] + " (" + kind(i) + ")") + "</title></g>";
  }
  function grid(list, x0, y0, width, out) {  // boxes in rows; returns the height used
    var cols = Math.max(1, Math.floor((width + G) / (BW + G))), rows = Math.ceil(list.length / cols);
    list.forEach(function (e, k) {
      put(out, nodeSvg(e, x0 + (k % cols) * (BW + G), y0 + Math.floor(k / cols) * (BH + G), BW, BH));
    });
    return rows ? rows * (BH + G) : 0;
  }
  function cellRows(r) { return Math.ceil((members[r] || []).length / Math.floor((RW - 12) / CELL)); }
  function cellSvg(i, x, y) {  // a member of a collapsed rack: a small square in its state's colour
    pos[i] = {x: x, y: y, w: CELL - 2, h: CELL - 2};
    drawn[i] = true;
    here = [x, y, CELL - 2, CELL - 2, i];
    return function () { return cellText(i, x, y); };
  }
  function cellText(i, x, y) {
    var f = flags(i), cls = "node cell k-" + esc(kind(i)) + (f & CAN_FAIL ? " can-fail" : "");
    if (f & SPOF) cls += " spof"; else if (f & HIT) cls += " hit";
    return '<g class="' + cls + '" data-id="' + esc(ids[i]) + '" transform="translate(' + x + "," + y + ')"><rect width="' +
      (CELL - 2) + '" height="' + (CELL - 2) + '" rx="1.5"></rect><title>' + esc(ids[i] + " (" + kind(i) + ")") + "</title></g>";
  }
  function rackHeight(r, shown) {
    var tabs = tabsOf[r] || [], h = HEAD + (tabs.length ? ROW : 0) + 4;
    var inside = (members[r] || []).filter(function (b) { return shown[b]; });
    if (expandedRack(r)) return h + inside.length * ROW + ((members[r] || []).length > inside.length ? ROW : 0);
    return h + 2 * ROW + cellRows(r) * CELL + 4;
  }
  function rackSvg(r, x, y, h, shown, out) {
    var all = members[r] || [], tabs = tabsOf[r] || [];
    var body = "rack-body" + (rackSpof[r] ? " spof-inside" : "");
    here = [x, y, RW, h, -1];
    rackBox[r] = [x, y, RW, h];
    put(out, '<rect class="' + body + '" x="' + x + '" y="' + y + '" width="' + RW + '" height="' + h + '" rx="5"/>');
    put(out, nodeSvg(r, x, y, RW, HEAD, "rack"));
    if (all.length && state.view === "all") {
      put(out, '<text class="toggle" data-toggle="' + r + '" x="' + (x + RW - 16) + '" y="' + (y + 16) + '">' +
        (expandedRack(r) ? "\u25be" : "\u25b8") + "</text>");
    }
    var yy = y + HEAD + 2, tw = tabs.length ? (RW - 8 - (tabs.length - 1) * 3) / tabs.length : 0;
    tabs.forEach(function (p, k) {
      put(out, nodeSvg(p, x + 4 + k * (tw + 3), yy, tw, ROW - 3, "tab", String.fromCharCode(65 + k) + " " + ids[p]));
    });
    if (tabs.length) yy += ROW;
    if (expandedRack(r)) {
      var inside = all.filter(function (b) { return shown[b]; });
      inside.forEach(function (b) { put(out, nodeSvg(b, x + 4, yy, RW - 8, ROW - 3)); yy += ROW; });
      if (all.length > inside.length) {
        put(out, '<text class="count" x="' + (x + 8) + '" y="' + (yy + 12) + '">+' + (all.length - inside.length) +
          " more in this rack</text>");
      }
    } else {
      var hosts = all.filter(function (b) { return section[b] === "hosts"; }).length;
      put(out, '<text class="count" x="' + (x + 8) + '" y="' + (yy + 13) + '">' + hosts + " hosts, " +
        (all.length - hosts) + " network</text>");
      var badges = (rackSpof[r] ? '<tspan class="badge">holds a SPOF</tspan> ' : "");
      var lit = state.result ? all.filter(function (b) { return state.lit[b]; }).length : 0;
      if (lit) badges += '<tspan class="badge down">' + lit + " down or cut off</tspan>";
      var cols = Math.floor((RW - 12) / CELL);
      all.forEach(function (b, k) { put(out, cellSvg(b, x + 6 + (k % cols) * CELL, yy + 19 + Math.floor(k / cols) * CELL)); });
      here = [x, y, RW, h, -1];
      put(out, '<text x="' + (x + 8) + '" y="' + (yy + 33 + (cellRows(r) - 1) * CELL + 4) + '">' + badges + "</text>");
    }
  }
  function zoneSvg(z, x0, y, width, shown, out) {
    var zone = z[0], racks = z[1].filter(function (r) { return shown[r]; });
    var loose = z[2].filter(function (e) { return shown[e]; });
    var facilities = z[3].filter(function (e) { return shown[e] && tabRack[e] === undefined; });
    if (!racks.length && !loose.length && !facilities.length && !(zone >= 0 && shown[zone])) return 0;
    var y0 = y, frame = out.length, inner = width - 2 * PAD, before = right;
    out.push(null);
    y += 8;
    right = 0;
    if (zone >= 0) { put(out, nodeSvg(zone, x0 + PAD, y, Math.min(260, inner), BH, "zone")); }
    else { here = [x0, y, width, BH, -1]; put(out, '<text class="band-title" x="' + (x0 + PAD) + '" y="' + (y + 15) + '">not in a zone</text>'); }
    y += BH + G;
    if (facilities.length) y += grid(facilities, x0 + PAD, y, inner, out) + G;
    var cols = Math.max(1, Math.floor((inner + G) / (RW + G)));
    for (var k = 0; k < racks.length; k += cols) {
      var row = racks.slice(k, k + cols), h = 0;
      row.forEach(function (r) { h = Math.max(h, rackHeight(r, shown)); });
      row.forEach(function (r, c) { rackSvg(r, x0 + PAD + c * (RW + G), y, rackHeight(r, shown), shown, out); });
      y += h + G;
    }
    if (loose.length) y += grid(loose, x0 + PAD, y, inner, out) + G;
    var fw = Math.max(240, right + PAD - x0);  // as wide as what it holds
    right = Math.max(before, x0 + fw);
    out[frame] = ['<rect class="zone-frame" x="' + x0 + '" y="' + y0 + '" width="' + fw + '" height="' +
      (y - y0 + 4) + '" rx="8"/>', x0, y0, fw, y - y0 + 4, -1];
    return y - y0 + 4 + 2 * G;
  }
  function bandSvg(title, list, x0, y, width, out) {
    if (!list.length) return 0;
    var frame = out.length, before = right;
    out.push(null);
    here = [x0, y, width, 26, -1];
    right = 0;
    put(out, '<text class="band-title" x="' + (x0 + PAD) + '" y="' + (y + 18) + '">' + esc(title) + "</text>");
    var h = 26 + grid(list, x0 + PAD, y + 26, width - 2 * PAD, out) + 4;
    var fw = Math.max(240, right + PAD - x0);
    right = Math.max(before, x0 + fw);
    out[frame] = ['<rect class="band-frame" x="' + x0 + '" y="' + y + '" width="' + fw + '" height="' + h + '" rx="8"/>',
      x0, y, fw, h, -1];
    return h + 2 * G;
  }
  function anchor(i) {
    if (isLink(i)) {
      var e = ends(i), a = anchor(e[0]), b = anchor(e[1]);
      return a && b ? {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, w: 0, h: 0} : null;
    }
    var p = pos[i];
    if (!p && rackOf[i] !== undefined) p = pos[rackOf[i]];
    return p ? {x: p.x + p.w / 2, y: p.y + p.h / 2, w: p.w, h: p.h} : null;
  }
  function contains(b, a) {  // whether b holds a (its rack or zone): drawn as nesting, not as an edge
    return rackOf[a] === b || tabRack[b] === a || (rackOf[a] !== undefined && tabRack[b] === rackOf[a]) || (section[b] === "zones" && D.zones[zoneOf[a]] && D.zones[zoneOf[a]][0] === b) ||
      (section[b] === "zones" && rackOf[a] !== undefined && D.zones[zoneOf[rackOf[a]]] && D.zones[zoneOf[rackOf[a]]][0] === b);
  }
  function edgeKind(a, b) {  // a needs b
    var s = section[b];
    if (s === "power") return "power";
    if (s === "cooling") return "cooling";
    if (s === "network" || s === "links") return "network";
    if (s === "storage" || s === "services") return "dependency";
    return "placement";
  }
  function route(p, q) {  // a curve between the facing sides of two boxes: [d, control x, control y, end x, end y]
    var x1 = p.x, y1 = p.y, x2 = q.x, y2 = q.y, mx, my;
    if (Math.abs(x2 - x1) < 1 && p.w === q.w) {  // one above the other in a column: out to the right
      x1 += p.w / 2; x2 += q.w / 2; mx = x1 + 24 + Math.min(60, Math.abs(y2 - y1) / 4); my = (y1 + y2) / 2;
    } else {
      if (Math.abs(y2 - y1) * (p.w + q.w) > Math.abs(x2 - x1) * (p.h + q.h)) {
        y1 += (y2 > y1 ? 1 : -1) * p.h / 2; y2 -= (y2 > y1 ? 1 : -1) * q.h / 2;
      } else { x1 += (x2 > x1 ? 1 : -1) * p.w / 2; x2 -= (x2 > x1 ? 1 : -1) * q.w / 2; }
      mx = (x1 + x2) / 2 + (y2 - y1) * 0.12; my = (y1 + y2) / 2 - (x2 - x1) * 0.12;
    }
    return ["M" + r1(x1) + "," + r1(y1) + " Q" + r1(mx) + "," + r1(my) + " " + r1(x2) + "," + r1(y2), mx, my, x2, y2];
  }
  function edgeSvg(a, b, kindName, cls, arrow) {
    var p = anchor(a), q = anchor(b);
    if (!p || !q || (p.x === q.x && p.y === q.y)) return "";
    var r = route(p, q), mx = r[1], my = r[2], x2 = r[3], y2 = r[4];
    var out = '<path class="edge e-' + kindName + (cls ? " " + cls : "") + '" d="' + r[0] + '"/>';
    if (arrow) {
      var ang = Math.atan2(y2 - my, x2 - mx), L = cls && cls.indexOf("cause") >= 0 ? 10 : 7, W2 = L * 0.45;
      var bx = x2 - L * Math.cos(ang), by = y2 - L * Math.sin(ang);
      out += '<path class="arrow e-' + kindName + (cls ? " " + cls : "") + '" d="M' + r1(x2) + "," + r1(y2) +
        " L" + r1(bx + W2 * Math.sin(ang)) + "," + r1(by - W2 * Math.cos(ang)) + " L" +
        r1(bx - W2 * Math.sin(ang)) + "," + r1(by + W2 * Math.cos(ang)) + 'z"/>';
    }
    return out;
  }
  function r1(v) { return Math.round(v * 10) / 10; }
  function linkSvg(l, out) {
    var e = ends(l), a = anchor(e[0]), b = anchor(e[1]);
    if (!a || !b) return;
    var cls = "edge e-network link" + (flags(l) & SPOF ? " spof" : "");
    if (a.x === b.x && a.y === b.y) return;
    var d = route(a, b)[0];
    drawn[l] = true;
    out.push('<path class="' + cls + '" data-id="' + esc(ids[l]) + '" d="' + d + '"/>');
    hits.push('<path class="hitbox" data-link="' + esc(ids[l]) + '" d="' + d + '"><title>' + esc(ids[l]) + "</title></path>");
  }
  function staticEdges(out) {
    var k;
    if (state.view === "all" && D.edges.length) {  // every edge (the links' are the links themselves)
      for (k = 0; k < D.edges.length; k += 3) {
        if (EDGE_KINDS[D.edges[k + 2]] === "network" || contains(D.edges[k + 1], D.edges[k])) continue;
        out.push(edgeSvg(D.edges[k], D.edges[k + 1], EDGE_KINDS[D.edges[k + 2]], "", true));
      }
      for (k = start.links; k < start.links + nLinks; k++) linkSvg(k, out);
      return;
    }
    spofs.forEach(function (p) {  // the chains: each element needs the one before it
      [p.chain, p.data_chain].forEach(function (chain) {
        for (var j = 0; j + 1 < chain.length; j++) {
          if (isLink(chain[j + 1]) && !drawn[chain[j + 1]]) linkSvg(chain[j + 1], out);
          if (isLink(chain[j]) || isLink(chain[j + 1]) || contains(chain[j], chain[j + 1])) continue;
          out.push(edgeSvg(chain[j + 1], chain[j], edgeKind(chain[j + 1], chain[j]), "", true));
        }
      });
      if (isLink(p.element) && !drawn[p.element]) linkSvg(p.element, out);
    });
    Object.keys(state.extra).forEach(function (e) { if (isLink(+e) && !drawn[+e]) linkSvg(+e, out); });
  }
  function render() {
    var stage = document.getElementById("stage"), width = Math.max(560, stage.clientWidth - 2 * MARGIN);
    var shown = shownSet(), out = [], y = MARGIN;
    right = 0;
    pos = {}; drawn = {}; rackBox = {};
    D.zones.forEach(function (z) { y += zoneSvg(z, MARGIN, y, width, shown, out); });
    var storage = [], services = [], i;
    for (i = start.storage; i < start.storage + C.sections[D.section_names.indexOf("storage")]; i++) if (shown[i]) storage.push(i);
    for (i = start.services; i < N; i++) if (shown[i]) services.push(i);
    y += bandSvg("storage", storage, MARGIN, y, width, out);
    y += bandSvg("services", services, MARGIN, y, width, out);
    var edges = [];
    hits = [];
    staticEdges(edges);
    if (state.result) causeEdges(edges);
    contentW = right + MARGIN; contentH = y;
    if (fitted && contentW * s0 > stage.clientWidth) s0 = stage.clientWidth / contentW;  // still fits the width
    items = out; edgeText = edges.join(""); hitText = hits.join("");
    emit();
    stepLabel();
    document.getElementById("view-spof").setAttribute("aria-pressed", String(state.view === "spof"));
    document.getElementById("view-all").setAttribute("aria-pressed", String(state.view === "all"));
    var note = document.getElementById("spof-note");
    if (note) note.hidden = state.view !== "spof";
  }
  function causeEdges(out) {
    var causes = state.result.causes || {};
    Object.keys(causes).forEach(function (id) {
      var a = index[id];
      causes[id].forEach(function (cid) {
        var b = index[cid];
        if (b === undefined || b === a || isLink(a) && ends(a).indexOf(b) >= 0 || contains(b, a)) return;
        if (isLink(b) && ends(b).indexOf(a) >= 0) return;  // a box cut off by its own cable: the cable is lit
        out.push(edgeSvg(a, b, edgeKind(a, b), "cause on", true).replace("<path ", '<path data-from="' + esc(id) +
          '" data-to="' + esc(cid) + '" '));
      });
    });
  }

  // --- the selection --------------------------------------------------------------------------
  var evaluator = null;
  function whatIf(i) {
    if (!evaluator) evaluator = SpoflintWhatIf.create(C);
    return evaluator.fail([ids[i]]);
  }
  function paint() {
    var graph = document.getElementById("graph");
    graph.classList.toggle("focus", state.selected >= 0);
    if (state.selected < 0) return;
    var world = document.getElementById("world");
    world.querySelectorAll("[data-id]").forEach(function (n) {
      var i = index[n.getAttribute("data-id")], r = state.result, mark = state.marks && state.marks[i];
      n.classList.toggle("selected", i === state.selected);
      ["down", "cut", "lost"].forEach(function (c) { n.classList.toggle(c, mark === c || (c === "lost" && !!state.lostSet[i])); });
      n.classList.toggle("lit", !!(r && state.lit[i]));
    });
  }
  function select(i, keep) {
    if (i === undefined || i < 0) return clear();
    state.selected = i;
    state.result = null; state.lit = {}; state.marks = {}; state.lostSet = {}; state.forced = {};
    state.extra = {}; state.extra[i] = true;
    if (flags(i) & CAN_FAIL) {
      var r = whatIf(i);
      state.result = r;
      r.elements_down.forEach(function (id) { state.marks[index[id]] = "down"; state.lit[index[id]] = true; });
      r.cut_off.forEach(function (id) { state.marks[index[id]] = "cut"; state.lit[index[id]] = true; });
      r.data_lost.forEach(function (h) { state.lostSet[index[h.holder]] = true; state.lit[index[h.holder]] = true; });
      var inRacks = {}, n = 0;
      Object.keys(state.lit).forEach(function (k) {
        state.extra[k] = true;
        if (rackOf[k] !== undefined) { inRacks[rackOf[k]] = true; n++; }
      });
      if (n <= FORCE) Object.keys(inRacks).forEach(function (rk) { state.forced[rk] = true; });
    }
    render();
    panel(i);
    if (!keep) history.replaceState(null, "", "#" + encodeURIComponent(ids[i]));
    reveal(i);
  }
  function clear() {
    state.selected = -1; state.result = null; state.lit = {}; state.marks = {}; state.extra = {}; state.forced = {};
    render();
    document.getElementById("selected").textContent = "Select an element";
    document.getElementById("answer").hidden = true;
    document.getElementById("check").hidden = true;
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  }
  function list(id, items, draw) {
    document.getElementById(id).innerHTML = items.map(draw).join("");
    document.getElementById("none-" + id).hidden = items.length > 0;
  }
  function panel(i) {
    var point = spofOf[i], text = "";
    document.getElementById("selected").textContent = ids[i] + " (" + kind(i) + ")";
    if (point) {
      var svc = point.services.map(function (s) { return ids[s]; }), data = point.data.map(function (s) { return ids[s]; });
      text = "Single point of failure" + (svc.length ? ": takes down " + svc.join(", ") : "") +
        (data.length ? (svc.length ? "; " : ": ") + "loses the data of " + data.join(", ") : "") + ".";
    }
    var about = document.getElementById("about"), answer = document.getElementById("answer"), r = state.result;
    if (!r) {
      answer.hidden = true;
      text += (text ? " " : "") + (section[i] === "services" || section[i] === "storage"
        ? "It fails through the hosts it runs on; click one of them."
        : "It does not fail by itself (an entry point, an external node, or outside the failure scope).");
      var by = spofs.filter(function (p) { return p.services.indexOf(i) >= 0 || p.data.indexOf(i) >= 0; })
        .map(function (p) { return ids[p.element]; });
      if (by.length) text += " Single points of failure that take it down: " + by.join(", ") + ".";
      about.textContent = text;
    } else {
      about.textContent = text || "Not a single point of failure on its own.";
      answer.hidden = false;
      document.getElementById("counts").textContent = "If it fails: " + r.elements_down.length +
        " element" + (r.elements_down.length === 1 ? "" : "s") + " down, " + r.cut_off.length + " cut off.";
      list("down", r.services_down, function (s) {
        var chain = r.chain ? r.chain(s.service) : [];
        return '<li data-service="' + esc(s.service) + '"><b>' + esc(s.service) + "</b>" +
          (s.public ? " (user-facing)" : "") + (s.down_before ? " (already down with nothing failed)" : "") +
          ': <span class="reason">' + esc(s.reason) + '</span><div class="chain">' + esc(chain.join(" \u2192 ")) +
          "</div></li>";
      });
      list("lost", r.data_lost, function (h) {
        return '<li data-holder="' + esc(h.holder) + '"><b>' + esc(h.holder) + '</b>: <span class="reason">' +
          esc(h.reason) + "</span></li>";
      });
    }
    var found = D.findings[String(i)] || [];
    document.getElementById("check").hidden = !found.length;
    document.getElementById("findings").innerHTML = found.map(function (f) {
      return '<li data-rule="' + esc(f[0]) + '"><b>' + esc(f[0]) + "</b> [" + esc(f[1]) + "] " + esc(f[2]) +
        (f[3] ? ' <span class="muted">(' + esc(f[3]) + ")</span>" : "") + f[4].map(function (x) {
          return '<div class="fix">fix: ' + esc(x[0]) + " (removes " + x[1] + " finding" + (x[1] === 1 ? "" : "s") +
            (x[2] ? "; needs a new element" : "") + ")</div>";
        }).join("") + "</li>";
    }).join("");
  }

  // --- drawing what is in view: past VIRTUAL items, only those near the viewport (and the selection's) ---
  var VIRTUAL = 3000, items = [], edgeText = "", hitText = "", hits = [], window0 = null;
  function viewport() {  // the viewport in world coordinates
    var stage = document.getElementById("stage");
    return [-tx / s0, -ty / s0, stage.clientWidth / s0, stage.clientHeight / s0];
  }
  function emit() {
    var v = viewport(), all = items.length <= VIRTUAL, w = [v[0] - v[2], v[1] - v[3], 3 * v[2], 3 * v[3]];
    var parts = [];
    items.forEach(function (it) {
      if (all || (it[5] >= 0 && (state.lit[it[5]] || it[5] === state.selected)) ||
          (it[1] < w[0] + w[2] && it[1] + it[3] > w[0] && it[2] < w[1] + w[3] && it[2] + it[4] > w[1])) parts.push(typeof it[0] === "function" ? it[0]() : it[0]);
    });
    window0 = all ? null : w;
    // the links' hit areas beneath the boxes (a box takes its own clicks), the edges above them
    document.getElementById("world").innerHTML = '<g id="hits">' + hitText + "</g>" + parts.join("") +
      '<g id="edges">' + edgeText + "</g>";
    paint();
    place();
  }
  var pending = false;
  function transform() {  // after a zoom or a pan: on the next frame, the detail for the scale, what came into view
    place();
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      if (detail()) return;
      var v = viewport(), w = window0;
      if (w && (v[0] < w[0] || v[1] < w[1] || v[0] + v[2] > w[0] + w[2] || v[1] + v[3] > w[1] + w[3])) emit();
    });
  }
  function inView(b, v) { return b[0] < v[0] + v[2] && b[0] + b[2] > v[0] && b[1] < v[1] + v[3] && b[1] + b[3] > v[1]; }
  function detail() {  // semantic zoom: zoomed in, the collapsed racks in view open; zoomed out, they close
    if (state.view !== "all" || boxesInRacks <= EXPAND) return false;
    var v = viewport(), open = {}, changed = false;
    if (s0 >= DETAIL) {
      var kept = Object.keys(state.zoomed).length < ZOOMED;
      if (kept) Object.keys(state.zoomed).forEach(function (k) { open[k] = true; });
      Object.keys(rackBox).forEach(function (k) {
        if (state.expanded[k] === undefined && inView(rackBox[k], v)) { open[k] = true; changed = changed || !state.zoomed[k]; }
      });
      changed = changed || !kept;
    } else changed = Object.keys(state.zoomed).length > 0;
    if (!changed) return false;
    var mid = [v[0] + v[2] / 2, v[1] + v[3] / 2], near = -1, best = Infinity;  // the rack nearest the middle
    Object.keys(rackBox).forEach(function (k) {
      var b = rackBox[k], d = Math.abs(b[0] + b[2] / 2 - mid[0]) + Math.abs(b[1] + b[3] / 2 - mid[1]);
      if (d < best) { best = d; near = +k; }
    });
    var a = near >= 0 ? [tx + rackBox[near][0] * s0, ty + rackBox[near][1] * s0] : null;  // it stays where it is on screen
    state.zoomed = open;
    render();
    if (a && rackBox[near]) { tx = a[0] - rackBox[near][0] * s0; ty = a[1] - rackBox[near][1] * s0; emit(); }
    return true;
  }
  function place() {
    document.getElementById("world").setAttribute("transform", "translate(" + r1(tx) + "," + r1(ty) + ") scale(" + s0 + ")");
  }

  // --- zoom, pan, reveal ------------------------------------------------------------------------
  function zoom(factor, cx, cy) {
    var stage = document.getElementById("stage");
    if (cx === undefined) { cx = stage.clientWidth / 2; cy = stage.clientHeight / 2; }
    var s1 = Math.min(8, Math.max(0.05, s0 * factor));
    fitted = false;
    tx = cx - (cx - tx) * s1 / s0; ty = cy - (cy - ty) * s1 / s0; s0 = s1;
    transform();
  }
  function fit() {
    var stage = document.getElementById("stage");
    s0 = Math.min(1.5, stage.clientWidth / contentW); tx = 0; ty = 0; fitted = true;
    transform();
  }
  function reveal(i) {
    var p = pos[i] || anchor(i), stage = document.getElementById("stage");
    if (!p) return;
    var x = tx + p.x * s0, y = ty + p.y * s0;
    if (x < 0 || y < 0 || x > stage.clientWidth - 20 || y > stage.clientHeight - 20) {
      tx = Math.min(0, stage.clientWidth / 2 - p.x * s0); ty = stage.clientHeight / 3 - p.y * s0;
      transform();
    }
  }
  (function () {
    var stage = document.getElementById("stage"), drag = null, moved = false;
    stage.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var box = stage.getBoundingClientRect();
      if (ev.ctrlKey || ev.metaKey) zoom(ev.deltaY < 0 ? 1.15 : 1 / 1.15, ev.clientX - box.left, ev.clientY - box.top);
      else { tx -= ev.deltaX; ty -= ev.deltaY; transform(); }
    }, {passive: false});
    stage.addEventListener("mousedown", function (ev) { drag = {x: ev.clientX, y: ev.clientY, tx: tx, ty: ty}; moved = false; });
    window.addEventListener("mousemove", function (ev) {
      if (!drag) return;
      if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 3) { moved = true; stage.classList.add("panning"); }
      if (moved) { tx = drag.tx + ev.clientX - drag.x; ty = drag.ty + ev.clientY - drag.y; transform(); }
    });
    window.addEventListener("mouseup", function () { drag = null; stage.classList.remove("panning"); });
    stage.addEventListener("click", function (ev) {
      if (moved) { moved = false; return; }
      var toggle = ev.target.closest("[data-toggle]");
      if (toggle) {
        var r = +toggle.getAttribute("data-toggle");
        state.expanded[r] = !expandedRack(r); delete state.forced[r];
        return render();
      }
      var target = ev.target.closest("[data-id], [data-link]");
      if (target) select(index[target.getAttribute("data-id") || target.getAttribute("data-link")]);
    });
  })();

  // --- search, views, keys ---------------------------------------------------------------------
  var matches = [], at0 = 0;
  function find(text) {
    var ul = document.getElementById("matches"), q = text.trim().toLowerCase();
    matches = [];
    if (q) {
      if (index[text.trim()] !== undefined) matches.push(index[text.trim()]);
      for (var i = 0; i < N && matches.length < 15; i++) {
        if (ids[i].toLowerCase().indexOf(q) >= 0 && matches.indexOf(i) < 0) matches.push(i);
      }
    }
    at0 = 0;
    ul.innerHTML = matches.map(function (i, k) {
      return '<li data-match="' + i + '"' + (k === 0 ? ' class="at"' : "") + ">" + esc(ids[i]) +
        ' <span class="muted">' + esc(kind(i)) + "</span></li>";
    }).join("");
    ul.hidden = !matches.length;
  }
  var search = document.getElementById("search");
  search.addEventListener("input", function () { find(search.value); });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && matches.length) { choose(matches[at0]); ev.preventDefault(); }
    else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      at0 = (at0 + (ev.key === "ArrowDown" ? 1 : matches.length - 1)) % Math.max(1, matches.length);
      document.querySelectorAll("#matches li").forEach(function (li, k) { li.classList.toggle("at", k === at0); });
      ev.preventDefault();
    } else if (ev.key === "Escape") { search.value = ""; find(""); search.blur(); }
    ev.stopPropagation();
  });
  document.getElementById("matches").addEventListener("click", function (ev) {
    var li = ev.target.closest("[data-match]");
    if (li) choose(+li.getAttribute("data-match"));
  });
  function choose(i) { document.getElementById("matches").hidden = true; select(i); }
  function stepLabel() {
    var k = spofs.map(function (p) { return p.element; }).indexOf(state.selected);
    document.getElementById("step-at").textContent = spofs.length
      ? (k >= 0 ? "SPOF " + (k + 1) + " of " + spofs.length : spofs.length + " SPOF" + (spofs.length === 1 ? "" : "s"))
      : "no single point of failure";
  }
  function step(by) {
    if (!spofs.length) return;
    var k = spofs.map(function (p) { return p.element; }).indexOf(state.selected);
    k = k < 0 ? (by > 0 ? 0 : spofs.length - 1) : (k + by + spofs.length) % spofs.length;
    select(spofs[k].element);
  }
  function view(name) { state.view = name; state.zoomed = {}; render(); fit(); if (state.selected >= 0) reveal(state.selected); }
  document.getElementById("view-spof").addEventListener("click", function () { view("spof"); });
  document.getElementById("view-all").addEventListener("click", function () { view("all"); });
  document.getElementById("prev").addEventListener("click", function () { step(-1); });
  document.getElementById("next").addEventListener("click", function () { step(1); });
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(0.8); });
  document.getElementById("fit").addEventListener("click", fit);
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var keys = {"/": function () { search.focus(); search.select(); }, n: function () { step(1); },
      p: function () { step(-1); }, ArrowRight: function () { step(1); }, ArrowLeft: function () { step(-1); },
      Escape: clear, "+": function () { zoom(1.25); }, "=": function () { zoom(1.25); }, "-": function () { zoom(0.8); },
      "0": fit, a: function () { view(state.view === "all" ? "spof" : "all"); }};
    if (keys[ev.key]) { ev.preventDefault(); keys[ev.key](); }
  });
  window.addEventListener("hashchange", function () { fromHash(); });
  function fromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (id && index[id] !== undefined) select(index[id], true);
  }

  // --- the legend and the notes -------------------------------------------------------------------
  document.getElementById("title").textContent = D.name;
  var legend = EDGE_KINDS.map(function (k) {
    return '<span><svg width="34" height="10"><path class="edge e-' + k + '" d="M1,5 L26,5"/><path class="arrow e-' + k +
      '" d="M33,5 L26,2 L26,8z"/></svg>' + k + "</span>";
  });
  legend.push('<span class="muted">arrow: what it needs</span>');
  [["#f4a6a6", "single point of failure"], ["#ffd8a8", "taken down by one"], ["#c92a2a", "down if the selection fails"],
   ["#fab005", "cut off"], ["#862e9c", "data lost"]].forEach(function (s) {
    legend.push('<span><i class="swatch" style="background:' + s[0] + '"></i>' + s[1] + "</span>");
  });
  ["feed", "ups", "pdu", "cooling", "rack", "switch", "router", "host", "storage", "service", "balancer"].forEach(function (g) {
    legend.push('<span><svg width="14" height="14">' + glyph(g, 0, 0) + "</svg>" + (g === "balancer" ? "load balancer" : g) + "</span>");
  });
  document.getElementById("legend").innerHTML = legend.join("");
  var notes = D.notes.slice();
  if (state.view === "spof") notes.unshift("Showing the " + spofs.length + " single point" + (spofs.length === 1 ? "" : "s") +
    " of failure, their chains and what they take down.");
  else if (!spofs.length) notes.unshift("No single point of failure: showing everything.");
  document.getElementById("notes").innerHTML = notes.map(function (n, k) {
    return k === 0 && state.view === "spof"
      ? '<div class="note" id="spof-note">' + esc(n) + ' <button type="button" id="show-all">Show everything</button></div>'
      : '<div class="note">' + esc(n) + "</div>";
  }).join("");
  var showAll = document.getElementById("show-all");
  if (showAll) showAll.addEventListener("click", function () { view("all"); });
  window.addEventListener("resize", function () { render(); });
  render();
  fit();
  fromHash();
  window.spoflintPage = {select: function (id) { select(index[id]); }, view: view,  // for scripts driving the page
                         scale: function () { return s0; }};
})();
