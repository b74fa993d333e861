// The n0core web view: specs, one spec's objects followed live through its event stream, and its
// resource graph. Plain browser JavaScript, no build step. Every text from the API is put into
// the page as text nodes (never as HTML), and nothing here shows a secret: documents and
// annotations are not displayed at all.
'use strict';

(() => {
  const TOKEN_KEY = 'n0core.token';
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const EVENTS_SHOWN = 500;

  // The colours of states, in the order the legend lists them (style.css has one class each).
  const LEGEND = [
    ['PENDING', 'object not placed yet'], ['WAITING', 'waiting for room'], ['SCHEDULED', 'sent to its agent'],
    ['RESCHEDULED', 'being placed again'], ['APPLIED', 'applied'], ['FAILED', 'failed'],
    ['alived', 'agent alive'], ['dead', 'agent dead'], ['host', 'host'],
  ];

  const $ = (selector) => document.querySelector(selector);

  /// An element with attributes and children; strings become text nodes.
  function el(tag, attributes = {}, ...children) {
    return build(document.createElement(tag), attributes, children);
  }

  function svg(tag, attributes = {}, ...children) {
    return build(document.createElementNS(SVG_NS, tag), attributes, children);
  }

  function build(node, attributes, children) {
    for (const [name, value] of Object.entries(attributes)) {
      if (value !== undefined && value !== null) node.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null) continue;
      node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function stateClass(state) {
    return 's-' + String(state || 'unknown').toLowerCase().replace(/[^a-z]/g, '');
  }

  function badge(state) {
    return el('span', { class: 'badge ' + stateClass(state) }, String(state || '?'));
  }

  function shortID(id) {
    return id ? el('span', { class: 'id', title: id }, id.slice(0, 8)) : '';
  }

  function time(text) {
    if (!text) return '';
    const date = new Date(text);
    return el('time', { datetime: text, title: text }, isNaN(date) ? text : date.toLocaleString());
  }

  // --- messages and the token -------------------------------------------------------------

  function showMessage(text, kind = 'error') {
    const box = $('#message');
    box.className = kind;
    box.textContent = text;
    box.hidden = false;
  }

  function clearMessage() {
    $('#message').hidden = true;
  }

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  class Unauthorized extends Error {}

  class Failure extends Error {
    constructor(status, message, problems) {
      super(message);
      this.status = status;
      this.problems = problems || [];
    }
  }

  /// Reads the API's error shape ({error, status, problems}) when the answer has one.
  async function failure(response) {
    let body = null;
    try { body = await response.json(); } catch { /* not JSON: the status line says enough */ }
    const message = (body && body.error) || `${response.status} ${response.statusText}`;
    if (response.status === 401) return new Unauthorized(message);
    return new Failure(response.status, message, body && body.problems);
  }

  async function api(path, options = {}) {
    const headers = Object.assign({ Accept: 'application/json', Authorization: `Bearer ${token()}` }, options.headers);
    const response = await fetch('/api' + path, Object.assign({}, options, { headers, cache: 'no-store' }));
    if (!response.ok) throw await failure(response);
    return response.json();
  }

  /// A refused token is dropped and asked for again, saying why.
  function report(error) {
    if (error instanceof Unauthorized) {
      sessionStorage.removeItem(TOKEN_KEY);
      stopView();
      showLogin();
      showMessage(`The API refused the token (401 Unauthorized): ${error.message}. Enter a valid token.`);
    } else if (error.name !== 'AbortError') {
      showMessage(error.message);
    }
  }

  // --- views ------------------------------------------------------------------------------

  let view = null; // the spec view being shown: {specID, controller}

  function stopView() {
    if (view) view.controller.abort();
    view = null;
  }

  function show(id) {
    for (const section of ['#login', '#specs-view', '#spec-view']) $(section).hidden = section !== id;
    $('#forget-token').hidden = id === '#login';
  }

  function showLogin() {
    show('#login');
    $('#login-token').focus();
  }

  function route() {
    stopView();
    clearMessage();
    // A token in the fragment (for scripts and tests) is taken and removed from the address.
    // `&spec=N` after it opens that spec.
    const given = /^#token=([^&]+)(?:&spec=(\d+))?$/.exec(location.hash);
    if (given) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(given[1]));
      history.replaceState(null, '', location.pathname + location.search + (given[2] ? `#/spec/${given[2]}` : '#/'));
    }
    if (!token()) return showLogin();
    const spec = /^#\/spec\/(\d+)$/.exec(location.hash);
    if (spec) showSpec(Number(spec[1])); else showSpecs();
  }

  // --- the specs list ---------------------------------------------------------------------

  let nextCursor = null;

  function showSpecs() {
    show('#specs-view');
    loadSpecs(false);
  }

  async function loadSpecs(more) {
    const query = new URLSearchParams({ limit: '50' });
    const state = $('#specs-state').value;
    if (state) query.set('state', state);
    if (more && nextCursor) query.set('cursor', nextCursor);
    try {
      const page = await api('/spec?' + query);
      const body = $('#specs tbody');
      if (!more) body.replaceChildren();
      for (const spec of page.specs) {
        const counts = Object.entries(spec.objects).sort().map(([progress, count]) =>
          el('span', { class: 'count' }, badge(progress), ` ${count}`));
        body.append(el('tr', { 'data-spec-id': spec.id, 'data-state': spec.state },
          el('td', {}, el('a', { href: `#/spec/${spec.id}` }, `spec ${spec.id}`)),
          el('td', {}, spec.version),
          el('td', {}, badge(spec.state)),
          el('td', {}, counts),
          el('td', {}, time(spec.updated_at))));
      }
      nextCursor = page.next || null;
      $('#specs-more').hidden = !nextCursor;
      $('#specs-empty').hidden = body.children.length > 0;
    } catch (error) {
      report(error);
    }
  }

  async function applySpec(event) {
    event.preventDefault();
    const problems = $('#apply-problems');
    problems.replaceChildren();
    clearMessage();
    const text = $('#apply-document').value;
    // JSON when it reads as JSON, YAML otherwise: the API refuses YAML labelled JSON.
    let contentType = 'application/yaml';
    try { JSON.parse(text); contentType = 'application/json'; } catch { /* YAML */ }
    try {
      const created = await api('/spec', { method: 'POST', headers: { 'Content-Type': contentType }, body: text });
      // The answer echoes the document with its secrets; only its id is kept.
      $('#apply-document').value = '';
      location.hash = `#/spec/${created.id}`;
    } catch (error) {
      report(error);
      for (const problem of (error.problems || [])) {
        problems.append(el('li', {}, el('code', {}, problem.path || ''), ' ', problem.message || ''));
      }
    }
  }

  // --- one spec ---------------------------------------------------------------------------

  function showSpec(specID) {
    show('#spec-view');
    view = { specID, controller: new AbortController(), refreshing: null, again: false };
    $('#spec-title').textContent = `Spec ${specID}`;
    $('#spec-state').replaceChildren();
    $('#spec-reason').hidden = true;
    $('#objects tbody').replaceChildren();
    $('#graph').replaceChildren();
    $('#events').replaceChildren();
    streamStatus('');
    refresh(view);
    follow(view);
  }

  /// Reads the spec's status and graph again; refreshes asked for meanwhile run once after it.
  function refresh(current) {
    if (current.refreshing) { current.again = true; return; }
    current.refreshing = load(current).catch(report).finally(() => {
      current.refreshing = null;
      if (current.again && view === current) { current.again = false; refresh(current); }
    });
  }

  async function load(current) {
    const signal = current.controller.signal;
    const [status, graph] = await Promise.all([
      api(`/spec/${current.specID}`, { signal }),
      api(`/graph?spec_id=${current.specID}`, { signal }),
    ]);
    if (view !== current) return;
    renderStatus(status);
    renderGraph(graph, status);
  }

  function renderStatus(status) {
    $('#spec-title').textContent = `Spec ${status.id} · version ${status.version}`;
    const state = $('#spec-state');
    state.className = 'badge ' + stateClass(status.state);
    state.textContent = status.state;
    state.dataset.state = status.state;
    const reason = $('#spec-reason');
    reason.hidden = !status.reason;
    reason.textContent = status.reason || '';
    const rows = [...status.objects].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)).map((object) =>
      el('tr', { 'data-object-id': object.id, 'data-name': object.name, 'data-progress': object.progress },
        el('td', {}, object.name || shortID(object.id)),
        el('td', {}, object.type),
        el('td', {}, object.desired_state || ''),
        el('td', {}, badge(object.progress)),
        el('td', {}, object.version),
        el('td', {}, shortID(object.agent)),
        el('td', { class: 'message' }, object.message || ''),
        el('td', {}, time(object.updated_at))));
    $('#objects tbody').replaceChildren(...rows);
  }

  function streamStatus(text) {
    $('#stream-status').textContent = text;
  }

  function addEvent(item) {
    const list = $('#events');
    list.append(el('li', { 'data-kind': item.kind },
      time(item.created_at), ' ', badge(item.kind), ' ',
      el('strong', {}, item.object_name || (item.object_id ? item.object_id.slice(0, 8) : `version ${item.version}`)),
      ' ', item.message || ''));
    while (list.children.length > EVENTS_SHOWN) list.firstElementChild.remove();
  }

  // --- the event stream -------------------------------------------------------------------

  /// Follows GET /api/spec/{id}/events as server-sent events until the version settles. The
  /// browser's EventSource cannot send the Authorization header, so the stream is read with
  /// fetch; it resumes after a break from the last event seen (Last-Event-ID).
  async function follow(current) {
    const signal = current.controller.signal;
    let lastEventID = null;
    let pause = 1000;
    while (view === current) {
      try {
        const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${token()}` };
        if (lastEventID !== null) headers['Last-Event-ID'] = lastEventID;
        const response = await fetch(`/api/spec/${current.specID}/events`, { headers, signal, cache: 'no-store' });
        if (!response.ok) throw await failure(response);
        streamStatus('● live');
        pause = 1000;
        for await (const message of serverSentEvents(response.body)) {
          if (message.id !== null) lastEventID = message.id;
          if (message.event === 'event') {
            addEvent(JSON.parse(message.data));
            refresh(current);
          } else if (message.event === 'settled') {
            const settled = JSON.parse(message.data);
            streamStatus(`settled: version ${settled.version} ${settled.state}`);
            refresh(current);
            return;
          }
        }
      } catch (error) {
        if (error.name === 'AbortError') return;
        if (error instanceof Unauthorized) return report(error);
        // A refusal (no such spec, …) does not change by asking again; an outage or a full API (503) may.
        if (error instanceof Failure && error.status < 500) return streamStatus(`no event stream: ${error.message}`);
        streamStatus(`stream interrupted (${error.message}); reconnecting`);
      }
      // The stream ended before the version settled, or broke: resume after a pause.
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 15000);
    }
  }

  /// Parses a text/event-stream body (the WHATWG rules for fields, comments and line ends)
  /// into messages {id, event, data}.
  async function* serverSentEvents(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let message = { id: null, event: 'message', data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.search(/\r\n|\r|\n/)) >= 0) {
        // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
        if (buffer[end] === '\r' && end === buffer.length - 1) break;
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
        if (line === '') {
          if (message.data.length > 0) yield { id: message.id, event: message.event, data: message.data.join('\n') };
          message = { id: null, event: 'message', data: [] };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let text = colon < 0 ? '' : line.slice(colon + 1);
        if (text.startsWith(' ')) text = text.slice(1);
        if (field === 'data') message.data.push(text);
        else if (field === 'event') message.event = text;
        else if (field === 'id') message.id = text;
      }
    }
  }

  // --- the resource graph -----------------------------------------------------------------

  const BOX = { width: 160, height: 58 };
  const GAP = { column: 100, row: 22 };
  const MARGIN = 16;

  /// Columns from left to right: hosts, agents, then objects by how far down their
  /// dependencies reach (a network before the NIC on it, the NIC before its VM).
  function renderGraph(graph, status) {
    const progress = new Map(status.objects.map((object) => [object.id, object.progress]));
    const nodes = new Map();
    for (const node of graph.nodes) {
      const agent = node.type.startsWith('agent/');
      nodes.set(node.id, {
        id: node.id, name: node.name || node.id.slice(0, 8), type: node.type, agent,
        state: agent ? (node.desired_state || 'unknown') : (progress.get(node.id) || node.observed_state || 'PENDING'),
        hostID: agent && node.object ? node.object.host_id : null,
      });
    }
    const edges = graph.edges.filter((edge) => nodes.has(edge.source) && nodes.has(edge.target)).map((edge) => ({
      source: edge.source, target: edge.target, relation: edge.relation,
      label: edge.relation.split('/').pop() + (edge.property && edge.property.boot_priority !== undefined ? ` (boot ${edge.property.boot_priority})` : ''),
    }));
    for (const node of [...nodes.values()]) {
      if (!node.hostID) continue;
      if (!nodes.has(node.hostID)) {
        nodes.set(node.hostID, { id: node.hostID, name: `host ${node.hostID.slice(0, 8)}`, type: 'host', state: 'host', host: true });
      }
      edges.push({ source: node.id, target: node.hostID, relation: 'on host', label: 'on host' });
    }

    const depth = new Map();
    const dependencies = (id) => edges.filter((edge) => edge.source === id && !nodes.get(edge.target).agent && !nodes.get(edge.target).host);
    const depthOf = (id, seen = new Set()) => {
      if (depth.has(id)) return depth.get(id);
      if (seen.has(id)) return 0; // a cycle; the API refuses them, but a drawing must not hang
      seen.add(id);
      const value = Math.max(-1, ...dependencies(id).map((edge) => depthOf(edge.target, seen))) + 1;
      depth.set(id, value);
      return value;
    };
    const columns = [];
    for (const node of nodes.values()) {
      node.column = node.host ? 0 : node.agent ? 1 : 2 + depthOf(node.id);
      (columns[node.column] = columns[node.column] || []).push(node);
    }
    let height = 0;
    columns.forEach((column, index) => {
      column.sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
      column.forEach((node, row) => {
        node.x = MARGIN + index * (BOX.width + GAP.column);
        node.y = MARGIN + row * (BOX.height + GAP.row);
      });
      height = Math.max(height, column.length);
    });
    const width = MARGIN * 2 + columns.length * BOX.width + Math.max(0, columns.length - 1) * GAP.column;

    placeEnds(edges, nodes);
    const drawing = svg('svg', {
      width, height: MARGIN * 2 + height * (BOX.height + GAP.row), role: 'img', 'aria-label': 'resource graph',
      viewBox: `0 0 ${width} ${MARGIN * 2 + height * (BOX.height + GAP.row)}`,
    }, svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }))));
    // Lines under the boxes, their labels over both.
    for (const edge of edges) drawing.append(drawEdge(edge));
    for (const node of nodes.values()) drawing.append(drawNode(node));
    for (const edge of edges) drawing.append(labelEdge(edge));
    $('#graph').replaceChildren(drawing);
    $('#legend').replaceChildren(...LEGEND.map(([state, meaning]) =>
      el('li', {}, el('span', { class: 'swatch ' + stateClass(state) }), ` ${state}`, el('span', { class: 'muted' }, ` ${meaning}`))));
  }

  function drawNode(node) {
    const title = `${node.type} ${node.name}\nid ${node.id}\nstate ${node.state}`;
    const clip = (text, length) => (text.length > length ? text.slice(0, length - 1) + '…' : text);
    return svg('g', { class: 'node ' + stateClass(node.state), 'data-id': node.id, 'data-type': node.type, 'data-state': node.state,
                      transform: `translate(${node.x},${node.y})` },
      svg('title', {}, title),
      svg('rect', { width: BOX.width, height: BOX.height, rx: 6 }),
      svg('text', { x: 9, y: 18, class: 'name' }, clip(node.name, 18)),
      svg('text', { x: 9, y: 34, class: 'type' }, clip(node.type, 25)),
      svg('text', { x: 9, y: 50, class: 'state' }, clip(node.state, 25)));
  }

  /// Where each edge leaves its source and reaches its target: on the sides facing each other,
  /// the edges meeting one side spread along it in the order of their other ends, so that
  /// neither the lines nor their labels lie on top of one another.
  function placeEnds(edges, nodes) {
    const sides = new Map();
    const meet = (node, right, edge, end, other) => {
      const key = `${node.id} ${right}`;
      if (!sides.has(key)) sides.set(key, []);
      sides.get(key).push({ node, right, edge, end, other });
    };
    for (const edge of edges) {
      const source = nodes.get(edge.source);
      const target = nodes.get(edge.target);
      const leftward = target.x <= source.x;
      meet(source, !leftward, edge, 'from', target);
      meet(target, leftward, edge, 'to', source);
      edge.leftward = leftward;
    }
    for (const ends of sides.values()) {
      ends.sort((a, b) => a.other.y - b.other.y || a.other.x - b.other.x);
      ends.forEach(({ node, right, edge, end }, index) => {
        edge[end] = { x: node.x + (right ? BOX.width : 0), y: node.y + (BOX.height * (index + 1)) / (ends.length + 1) };
      });
    }
  }

  /// A curve between the ends ``placeEnds`` chose.
  function drawEdge(edge) {
    const { from, to, leftward } = edge;
    const bend = Math.max(40, Math.abs(to.x - from.x) / 2) * (leftward ? -1 : 1);
    const path = `M ${from.x} ${from.y} C ${from.x + bend} ${from.y}, ${to.x - bend} ${to.y}, ${to.x} ${to.y}`;
    return svg('g', { class: 'edge', 'data-relation': edge.relation },
      svg('title', {}, edge.relation),
      svg('path', { d: path, 'marker-end': 'url(#arrow)' }));
  }

  /// The relation, written along the edge where it leaves its source: each side's ends are
  /// apart, and the gap next to a box is the one place no other column reaches.
  function labelEdge(edge) {
    const { from, leftward } = edge;
    return svg('text', { class: 'edge-label', x: from.x + (leftward ? -6 : 6), y: from.y - 3, 'text-anchor': leftward ? 'end' : 'start' },
      svg('title', {}, edge.relation), edge.label);
  }

  // --- wiring -----------------------------------------------------------------------------

  $('#login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('#login-token').value.trim());
    $('#login-token').value = '';
    route();
  });
  $('#forget-token').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    route();
  });
  $('#specs-refresh').addEventListener('click', () => loadSpecs(false));
  $('#specs-state').addEventListener('change', () => loadSpecs(false));
  $('#specs-more').addEventListener('click', () => loadSpecs(true));
  $('#apply-form').addEventListener('submit', applySpec);
  window.addEventListener('hashchange', route);
  route();
})();
