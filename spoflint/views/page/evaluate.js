/* "If this fails", worked out in the page: spoflint.analysis.reference's semantics
   (docs/format.md, "What up means") on the compact model of spoflint.views.compact,
   element by element and memoised, with the reasons `spoflint simulate` gives.

   SpoflintWhatIf.create(compact) -> evaluator; evaluator.fail([id, ...]) -> what is down,
   what is cut off, the services down and the data lost, and why. Each call evaluates the
   whole topology again (linear in its size); the evaluation with nothing failed is done
   once, in create. */
var SpoflintWhatIf = (function () {
  "use strict";
  var ZONES = 0, POWER = 1, COOLING = 2, RACKS = 3, NETWORK = 4, LINKS = 5, HOSTS = 6, STORAGE = 7, SERVICES = 8;
  var UP = 1, DOWN = 2;  // an element's state in an evaluation (0: not worked out yet)

  function column(values, length) {
    /* A compact column decoded: one number for every element, or the running sum of its deltas. */
    var out = new Int32Array(length), i, sum = 0;
    if (typeof values === "number") {
      for (i = 0; i < length; i++) out[i] = values;
      return out;
    }
    for (i = 0; i < length; i++) {
      sum += values[i];
      out[i] = sum;
    }
    return out;
  }

  function none(length) {
    var out = new Int32Array(length);
    for (var i = 0; i < length; i++) out[i] = -1;
    return out;
  }

  function Model(c) {
    var m = this, i, s, n = c.ids.length;
    m.ids = c.ids;
    m.n = n;
    m.start = [0];
    for (s = 0; s < c.sections.length; s++) m.start.push(m.start[s] + c.sections[s]);
    m.index = Object.create(null);
    for (i = 0; i < n; i++) m.index[c.ids[i]] = i;
    m.entrypoints = c.entrypoints;
    m.sets = c.sets;
    m.zone = none(n);  // power, cooling, racks, boxes, storage
    m.inputs = new Int32Array(n);  // the set of a power element's sources, a box's or cooling unit's power, a rack's cooling
    m.rack = none(n);
    function fill(section, target, values) {
      var first = m.start[section], length = m.start[section + 1] - first;
      var decoded = column(values, length);
      for (var k = 0; k < length; k++) target[first + k] = decoded[k];
    }
    fill(POWER, m.zone, c.power.zone); fill(POWER, m.inputs, c.power.sources);
    fill(COOLING, m.zone, c.cooling.zone); fill(COOLING, m.inputs, c.cooling.power);
    fill(RACKS, m.zone, c.racks.zone); fill(RACKS, m.inputs, c.racks.cooling);
    // boxes: the network nodes and then the hosts, with the links' section between them
    var nodes = c.sections[NETWORK], boxes = nodes + c.sections[HOSTS];
    var rack = column(c.boxes.rack, boxes), zone = column(c.boxes.zone, boxes), power = column(c.boxes.power, boxes);
    for (i = 0; i < boxes; i++) {
      var b = i < nodes ? m.start[NETWORK] + i : m.start[HOSTS] + i - nodes;
      m.rack[b] = rack[i]; m.zone[b] = zone[i]; m.inputs[b] = power[i];
    }
    var links = c.sections[LINKS];
    m.a = column(c.links.a, links);
    m.b = column(c.links.b, links);
    m.hostLinks = [];  // host offset -> its links (link offsets), in link order
    for (i = 0; i < c.sections[HOSTS]; i++) m.hostLinks.push([]);
    m.adjacent = [];  // element -> [link offset, other end, ...]
    for (i = 0; i < n; i++) m.adjacent.push(null);
    for (i = 0; i < links; i++) {
      var ends = [m.a[i], m.b[i]];
      for (var e = 0; e < 2; e++) {
        var end = ends[e];
        if (m.isHost(end)) m.hostLinks[end - m.start[HOSTS]].push(i);
        (m.adjacent[end] || (m.adjacent[end] = [])).push(i, ends[1 - e]);
      }
    }
    var st = c.sections[STORAGE];
    fill(STORAGE, m.zone, c.storage.zone);
    m.storageHosts = column(c.storage.hosts, st);
    m.storageReplicas = column(c.storage.replicas, st);
    m.storageMin = column(c.storage.min_replicas, st);
    var sv = c.sections[SERVICES], f = c.services;
    m.needs = column(f.needs, sv);
    m.lb = column(f.load_balancer, sv);
    m.hosts = column(f.hosts, sv);
    m.pool = column(f.pool, sv);
    m.replicas = column(f.replicas, sv);
    m.need = column(f.need, sv);
    m.flags = column(f.flags, sv);
    m.order = c.order;
    // what is worked out first, inputs first, so that no chain nests calls: power by its
    // sources, services by what they need and their load balancer
    m.powerFirst = inputsFirst(m.start[POWER], m.start[COOLING], function (p) { return m.sets[m.inputs[p]]; });
    m.needsFirst = inputsFirst(m.start[SERVICES], n, function (s) {
      var k = s - m.start[SERVICES], out = m.sets[m.needs[k]];
      return m.lb[k] >= 0 ? out.concat([m.lb[k]]) : out;
    });
  }
  Model.prototype.isNetwork = function (i) { return i >= this.start[NETWORK] && i < this.start[LINKS]; };
  Model.prototype.isHost = function (i) { return i >= this.start[HOSTS] && i < this.start[STORAGE]; };
  Model.prototype.isService = function (i) { return i >= this.start[SERVICES]; };
  Model.prototype.names = function (list) {
    var ids = this.ids;
    return list.map(function (i) { return ids[i]; }).join(", ");
  };
  Model.prototype.element = function (key) { return key % this.n; };  // a helper key's element

  function inputsFirst(from, to, inputsOf) {
    /* Every element of [from, to) and what it names, each after what it names (the model
       refused cycles): a depth-first walk with its own stack. */
    var done = Object.create(null), out = [], stack = [], i;
    for (i = from; i < to; i++) {
      if (done[i]) continue;
      stack.push([i, inputsOf(i), 0]);
      done[i] = true;
      while (stack.length) {
        var top = stack[stack.length - 1];
        if (top[2] < top[1].length) {
          var next = top[1][top[2]++];
          if (!done[next]) {
            done[next] = true;
            stack.push([next, next >= from && next < to ? inputsOf(next) : [], 0]);
          }
        } else {
          out.push(stack.pop()[0]);
        }
      }
    }
    return out;
  }

  function evaluate(m, failed) {
    /* One evaluation. Keys: element i, a host's usability n + i, a node's reachability 2n + i. */
    var n = m.n, sets = m.sets, ids = m.ids, start = m.start;
    var state = new Int8Array(3 * n), reason = [], causes = [], reached = new Uint8Array(n), lost = [];

    function mark(key, ok, why, because) {
      state[key] = ok ? UP : DOWN;
      if (!ok) {
        reason[key] = why;
        causes[key] = because || [];
      }
      return ok;
    }
    function placed(key, why) {
      /* Failed, or its zone down: what every element of these sections checks first. */
      if (failed[key]) return mark(key, false, why || "failed");
      var z = m.zone[key];
      if (z >= 0 && !zoneUp(z)) return mark(key, false, "its zone " + ids[z] + " is down", [z]);
      return null;
    }
    function zoneUp(z) {
      if (state[z]) return state[z] === UP;
      return mark(z, !failed[z], "failed");
    }
    function anyUp(list, up) {
      var ok = false;
      for (var i = 0; i < list.length; i++) if (up(list[i])) ok = true;  // every one evaluated
      return ok;
    }
    function powerUp(p) {
      if (state[p]) return state[p] === UP;
      var first = placed(p);
      if (first !== null) return first;
      var sources = sets[m.inputs[p]];
      if (sources.length && !anyUp(sources, powerUp)) {
        return mark(p, false, "all its inputs are down (" + m.names(sources) + ")", sources);
      }
      return mark(p, true);
    }
    function powered(key) {
      var inputs = sets[m.inputs[key]];
      if (!inputs.length || anyUp(inputs, powerUp)) return true;
      return mark(key, false, "no power (" + m.names(inputs) + " down)", inputs);
    }
    function coolingUp(c) {
      if (state[c]) return state[c] === UP;
      var first = placed(c);
      if (first !== null) return first;
      return powered(c) && mark(c, true);
    }
    function rackUp(r) {
      if (state[r]) return state[r] === UP;
      var first = placed(r);
      if (first !== null) return first;
      var cooling = sets[m.inputs[r]];
      if (cooling.length && !anyUp(cooling, coolingUp)) {
        return mark(r, false, "no cooling (" + m.names(cooling) + " down)", cooling);
      }
      return mark(r, true);
    }
    function boxUp(b) {  // a network node or a host
      if (state[b]) return state[b] === UP;
      if (failed[b]) return mark(b, false, "failed");
      var r = m.rack[b], z = m.zone[b];
      if (r >= 0 && !rackUp(r)) return mark(b, false, "its rack " + ids[r] + " is down", [r]);
      if (z >= 0 && !zoneUp(z)) return mark(b, false, "its zone " + ids[z] + " is down", [z]);
      return powered(b) && mark(b, true);
    }
    function linkUp(l) {  // l: the link's offset in its section
      var key = start[LINKS] + l;
      if (state[key]) return state[key] === UP;
      if (failed[key]) return mark(key, false, "failed");
      var ends = [m.a[l], m.b[l]];
      for (var e = 0; e < 2; e++) {
        if (!boxUp(ends[e])) return mark(key, false, "its end " + ids[ends[e]] + " is down", [ends[e]]);
      }
      return mark(key, true);
    }
    function reach() {
      /* Breadth-first from the entry points over links that are up; hosts are end points. */
      var queue = [], head = 0, i;
      for (i = 0; i < m.entrypoints.length; i++) {
        if (boxUp(m.entrypoints[i])) queue.push(m.entrypoints[i]);
      }
      for (i = 0; i < queue.length; i++) reached[queue[i]] = 1;
      while (head < queue.length) {
        var adjacent = m.adjacent[queue[head++]] || [];
        for (i = 0; i < adjacent.length; i += 2) {
          var other = adjacent[i + 1];
          if (!reached[other] && linkUp(adjacent[i])) {
            reached[other] = 1;
            if (m.isNetwork(other)) queue.push(other);
          }
        }
      }
    }
    function hostOk(h) {  // up, and reachable where the network is known
      var key = n + h;
      if (state[key]) return state[key] === UP;
      if (!boxUp(h)) return mark(key, false, "host " + ids[h] + " is down", [h]);
      var links = m.hostLinks[h - start[HOSTS]];
      if (m.entrypoints.length && links.length && !reached[h]) {
        var bad = links.filter(function (l) { return !linkUp(l); });
        var because = (bad.length ? bad : links).map(function (l) { return start[LINKS] + l; });
        return mark(key, false, "host " + ids[h] + " is unreachable", because);
      }
      return mark(key, true);
    }
    function notOk(hosts) {
      return hosts.filter(function (h) { return !hostOk(h); });
    }
    function usableKeys(hosts) {
      return hosts.map(function (h) { return n + h; });
    }
    function storageUp(s) {
      if (state[s]) return state[s] === UP;
      var k = s - start[STORAGE], hosts = sets[m.storageHosts[k]];
      var first = placed(s, hosts.length ? "failed itself (its software, not its hosts)" : "failed");
      if (first !== null) return first;
      if (!hosts.length) return mark(s, true);
      var bad = notOk(hosts), tolerable = m.storageReplicas[k] - m.storageMin[k];
      if (bad.length > tolerable) {
        return mark(s, false, bad.length + " of its " + hosts.length + " hosts are down or unreachable, it tolerates " +
          Math.max(tolerable, 0), usableKeys(bad));
      }
      return mark(s, true);
    }
    function needUp(d) {
      return m.isService(d) ? serviceUp(d) : storageUp(d);
    }
    function serviceUp(s) {
      if (state[s]) return state[s] === UP;
      var k = s - start[SERVICES];
      if (failed[s]) return mark(s, false, "failed itself (its software, not its hosts)");
      var needs = sets[m.needs[k]], lb = m.lb[k];
      for (var i = 0; i < needs.length; i++) {
        if (!needUp(needs[i])) return mark(s, false, "it needs " + ids[needs[i]] + ", which is down", [needs[i]]);
      }
      if (lb >= 0 && !serviceUp(lb)) return mark(s, false, "its load balancer " + ids[lb] + " is down", [lb]);
      return sets[m.hosts[k]].length ? instancesUp(s, k) : poolUp(s, k);
    }
    function instancesUp(s, k) {  // one instance per host: enough of them usable
      var hosts = sets[m.hosts[k]], bad = notOk(hosts), usable = hosts.length - bad.length, need = m.need[k];
      if (m.flags[k] & 2 && bad.indexOf(hosts[0]) >= 0) {
        return mark(s, false, "clients address its first instance, on " + ids[hosts[0]] + ", which is down", [n + hosts[0]]);
      }
      if (usable < need) {
        return mark(s, false, usable + " of " + hosts.length + " instances usable, it needs " + need, usableKeys(bad));
      }
      return mark(s, true);
    }
    function poolUp(s, k) {  // replicas on a pool, placed the worst way
      var pool = sets[m.pool[k]], bad = notOk(pool), replicas = m.replicas[k], need = m.need[k], count, usable;
      var spread = (m.flags[k] >> 2) & 3;
      if (!spread) {  // every replica on one host, maybe a bad one
        count = replicas;
        usable = bad.length ? 0 : replicas;
      } else {
        var groups = spreadGroups(m, pool, spread, bad);
        count = Math.min(replicas, groups.count);
        usable = count - Math.min(groups.hit, count);
      }
      if (m.flags[k] & 2 && bad.length) {
        return mark(s, false, "clients address one replica, which may sit on a failed or unreachable pool host (" +
          m.names(bad) + ")", usableKeys(bad));
      }
      if (bad.length && usable < need) {
        return mark(s, false, "its replicas may all sit on failed or unreachable pool hosts (" + m.names(bad) + ")",
          usableKeys(bad));
      }
      if (usable < need) {
        return mark(s, false, "only " + count + " replica" + (count === 1 ? "" : "s") + " can be placed, it needs " + need);
      }
      return mark(s, true);
    }

    var i;
    for (i = 0; i < m.powerFirst.length; i++) powerUp(m.powerFirst[i]);
    reach();  // what services need: whether hosts are reachable
    for (i = 0; i < m.needsFirst.length; i++) needUp(m.needsFirst[i]);
    for (i = start[ZONES]; i < start[POWER]; i++) zoneUp(i);
    for (i = start[POWER]; i < start[COOLING]; i++) powerUp(i);
    for (i = start[COOLING]; i < start[RACKS]; i++) coolingUp(i);
    for (i = start[RACKS]; i < start[NETWORK]; i++) rackUp(i);
    for (i = start[NETWORK]; i < start[LINKS]; i++) boxUp(i);
    for (i = start[HOSTS]; i < start[STORAGE]; i++) { boxUp(i); hostOk(i); }
    for (i = 0; i < start[HOSTS] - start[LINKS]; i++) linkUp(i);
    for (i = start[STORAGE]; i < start[SERVICES]; i++) storageUp(i);
    for (i = start[SERVICES]; i < n; i++) serviceUp(i);
    if (m.entrypoints.length) {
      for (i = start[NETWORK]; i < start[LINKS]; i++) {
        if (!reached[i] && state[i] !== DOWN) mark(2 * n + i, false, "unreachable from every entry point", []);
      }
    }
    dataLost(m, failed, lost);
    return {state: state, reason: reason, causes: causes, lost: lost};
  }

  function spreadGroups(m, pool, spread, bad) {
    /* A pool's hosts by the service's spread level (a host with no rack or zone is a group
       of its own): how many groups, and how many of them hold a host of `bad`. */
    var group = Object.create(null), hit = Object.create(null), count = 0, hits = 0, i;
    for (i = 0; i < pool.length; i++) {
      var h = pool[i], r = m.rack[h], key = h;
      if (spread === 2 && r >= 0) key = r;
      if (spread === 3) key = m.zone[h] >= 0 ? m.zone[h] : r >= 0 && m.zone[r] >= 0 ? m.zone[r] : h;
      group[h] = key;
      if (!(key in hit)) {
        hit[key] = false;
        count++;
      }
    }
    for (i = 0; i < bad.length; i++) {
      if (!hit[group[bad[i]]]) {
        hit[group[bad[i]]] = true;
        hits++;
      }
    }
    return {count: count, hit: hits};
  }

  function dataLost(m, failed, lost) {
    /* docs/format.md item 7: only failed hosts destroy data. */
    var sets = m.sets, start = m.start, k, gone;
    function goneOf(hosts) { return hosts.filter(function (h) { return failed[h]; }); }
    for (k = 0; k < start[SERVICES] - start[STORAGE]; k++) {
      var holds = sets[m.storageHosts[k]], copies = m.storageReplicas[k];
      gone = goneOf(holds);
      if (holds.length && gone.length >= copies) {
        lost[start[STORAGE] + k] = m.names(gone) + " failed, and they held all " + copies + " copies";
      }
    }
    for (k = 0; k < m.n - start[SERVICES]; k++) {
      var data = m.flags[k] >> 4, s = start[SERVICES] + k, hosts = sets[m.hosts[k]];
      var members = hosts.length ? hosts : sets[m.pool[k]];
      gone = goneOf(members);
      if (!data || !gone.length) continue;
      if (data === 1) {
        lost[s] = m.ids[gone[0]] + " failed and held state that nothing replicates";
      } else if (hosts.length) {
        if (gone.length === members.length) lost[s] = "every member failed (" + m.names(gone) + ")";
      } else if (!((m.flags[k] >> 2) & 3)) {
        lost[s] = m.ids[gone[0]] + " failed and may have held every replica";
      } else {
        var groups = spreadGroups(m, members, (m.flags[k] >> 2) & 3, gone);
        var count = Math.min(m.replicas[k], groups.count);
        if (groups.hit >= count) lost[s] = "failed hosts (" + m.names(gone) + ") may have held all " + count + " replicas";
      }
    }
  }

  function wayOut(m, state) {
    /* A breadth-first tree of the network (entry points, network nodes and the links
       between two of them) from the entry points over what is up with nothing failed:
       each vertex's parent, -2 for the entry points' root, -1 outside the tree. */
    var tree = new Int32Array(m.n), queue = [], head = 0, i, start = m.start;
    for (i = 0; i < m.n; i++) tree[i] = -1;
    function visit(w, parent) {
      if (tree[w] === -1 && state[w] !== DOWN) {
        tree[w] = parent;
        queue.push(w);
      }
    }
    for (i = 0; i < m.entrypoints.length; i++) visit(m.entrypoints[i], -2);
    while (head < queue.length) {
      var u = queue[head++];
      if (u >= start[LINKS]) {  // a link: its two ends
        visit(m.a[u - start[LINKS]], u);
        visit(m.b[u - start[LINKS]], u);
        continue;
      }
      var adjacent = m.adjacent[u] || [];
      for (i = 0; i < adjacent.length; i += 2) {
        if (m.isNetwork(adjacent[i + 1])) visit(start[LINKS] + adjacent[i], u);
      }
    }
    return tree;
  }

  function create(compact) {
    var m = new Model(compact), n = m.n;
    var before = evaluate(m, new Uint8Array(n)), tree = wayOut(m, before.state);

    function fail(failedIds) {
      var failed = new Uint8Array(n), i, ids = m.ids, start = m.start;
      for (i = 0; i < failedIds.length; i++) {
        if (!(failedIds[i] in m.index)) throw new Error("no element has the id " + failedIds[i]);
        failed[m.index[failedIds[i]]] = 1;
      }
      var after = evaluate(m, failed), state = after.state;
      var down = [], cut = [], causes = Object.create(null), services = [], lost = [];  // causes: any id, even __proto__
      function because(key) {
        var seen = Object.create(null), out = [];
        after.causes[key].forEach(function (c) {
          var e = ids[m.element(c)];
          if (!(e in seen)) { seen[e] = true; out.push(e); }
        });
        return out;
      }
      for (i = 0; i < n; i++) {
        if (state[i] === DOWN) {
          down.push(ids[i]);
          causes[ids[i]] = because(i);
        }
      }
      function cutOff(from, to, helper) {  // up, but its usability or reachability down
        for (var i = from; i < to; i++) {
          if (state[i] !== DOWN && state[helper + i] === DOWN) {
            cut.push(ids[i]);
            causes[ids[i]] = because(helper + i);
          }
        }
      }
      cutOff(start[NETWORK], start[LINKS], 2 * n);
      cutOff(start[HOSTS], start[STORAGE], n);
      m.order.forEach(function (k) {
        if (m.isService(k) && state[k] === DOWN) {
          services.push({service: ids[k], public: !!(m.flags[k - start[SERVICES]] & 1), reason: after.reason[k],
            down_before: before.state[k] === DOWN});
        }
        if (after.lost[k] !== undefined) lost.push({holder: ids[k], reason: after.lost[k]});
      });

      function chain(id) {
        /* The element ids from a failed element to `id`, as `spoflint simulate` gives a
           service's chain (uncut): the causes followed down, the first the failures took
           down first; through a host's cable that is up, on to the node at its other end;
           from a node up but cut off, to the first vertex down on its way out to the
           entry points (in the tree of the network with nothing failed). */
        if (!(id in m.index)) throw new Error("no element has the id " + id);
        var i = m.index[id], key = i;
        if (state[i] !== DOWN) {
          if (m.isHost(i) && state[n + i] === DOWN) key = n + i;
          else if (m.isNetwork(i) && state[2 * n + i] === DOWN) key = 2 * n + i;
        }
        var keys = [key], seen = Object.create(null);
        seen[key] = true;
        while (key !== null) {
          var next = null;
          if (state[key] === DOWN) {
            var open = after.causes[key].filter(function (c) { return !seen[c]; });
            if (open.length) {
              next = open[0];
              for (var c = 0; c < open.length; c++) {
                if (fresh(open[c], key)) { next = open[c]; break; }
              }
            } else if (key >= 2 * n) {
              next = cutBy(key - 2 * n);
            }
          } else if (key >= start[LINKS] && key < start[HOSTS] && keys.length > 1) {
            var end = otherEnd(key, keys[keys.length - 2]);
            next = state[end] === DOWN ? end : state[2 * n + end] === DOWN ? 2 * n + end : null;
          }
          key = next !== null && !seen[next] ? next : null;
          if (key !== null) {
            keys.push(key);
            seen[key] = true;
          }
        }
        var out = [];
        for (var j = keys.length - 1; j >= 0; j--) {
          var e = ids[m.element(keys[j])];
          if (!out.length || out[out.length - 1] !== e) out.push(e);
        }
        return out;
      }
      function otherEnd(link, key) {  // a link's end other than the host `key` stands for
        var l = link - start[LINKS];
        return m.a[l] === m.element(key) ? m.b[l] : m.a[l];
      }
      function fresh(cause, key) {
        /* Whether a cause of `key` went down with the failures: not down before, and, for
           a host's cable that is up, the node at its other end was reachable before. */
        if (before.state[cause] === DOWN) return false;
        if (cause >= start[LINKS] && cause < start[HOSTS] && state[cause] !== DOWN) {
          var end = otherEnd(cause, key);
          return before.state[end] !== DOWN && before.state[2 * n + end] !== DOWN;
        }
        return true;
      }
      function cutBy(node) {  // the first vertex down on its way out, or null
        var v = tree[node];
        while (v >= 0 && state[v] !== DOWN) v = tree[v];
        return v >= 0 ? v : null;
      }
      return {elements_down: down, cut_off: cut, services_down: services, data_lost: lost, causes: causes, chain: chain};
    }
    return {fail: fail};
  }

  return {create: create};
})();
