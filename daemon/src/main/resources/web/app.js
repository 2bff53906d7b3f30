// The live page: the job list and one job's detail, kept current by the daemon's server-sent
// events (/api/stream). No reloads; a job's series are fetched again when its iteration moves.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const fmt = (v) => (v === null || v === undefined || v === '') ? '–'
      : (typeof v === 'number' ? window.ThCharts.fmt(v) : String(v));
  const state = {
    jobs: [],
    selected: decodeURIComponent(location.hash.slice(1)) || null,
    shownIter: null,
    curvature: {},   // job -> [{iter, max, min, lr}] seen while the page is open
    detail: null,
  };

  function text(tag, value, cls) {
    const e = document.createElement(tag);
    e.textContent = value;
    if (cls) e.className = cls;
    return e;
  }

  function alertCount(j) {
    const firing = (j.alerts || []).filter((a) => a.state === 'firing');
    return firing.length ? firing.map((a) => a.rule).join(', ') : '';
  }

  function renderJobs() {
    const body = $('jobs').tBodies[0];
    body.textContent = '';
    $('no-jobs').hidden = state.jobs.length > 0;
    for (const j of state.jobs) {
      const tr = document.createElement('tr');
      tr.dataset.job = j.job;
      if (j.job === state.selected) tr.className = 'selected';
      tr.appendChild(text('td', j.job));
      tr.appendChild(text('td', j.outcome ? j.phase + ' (' + j.outcome + ')' : (j.phase || '–')));
      tr.appendChild(text('td', fmt(j.iteration)));
      tr.appendChild(text('td', fmt(j.loss)));
      tr.appendChild(text('td', alertCount(j), alertCount(j) ? 'sev-critical' : ''));
      tr.addEventListener('click', () => select(j.job));
      body.appendChild(tr);
    }
  }

  function recordCurvature(j) {
    const lmax = Number(j.lambda_max), lmin = Number(j.lambda_min);
    if (!isFinite(lmax) && !isFinite(lmin)) return;
    const list = state.curvature[j.job] || (state.curvature[j.job] = []);
    const last = list[list.length - 1];
    if (last && last.iter === j.iteration) return;
    list.push({iter: j.iteration, max: lmax, min: lmin, lr: Number(j.learning_rate)});
    if (list.length > 500) list.shift();
  }

  function onJobs(list) {
    state.jobs = list.jobs || [];
    state.jobs.forEach(recordCurvature);
    if (!state.selected && state.jobs.length) state.selected = state.jobs[0].job;
    renderJobs();
    const j = state.jobs.find((x) => x.job === state.selected);
    if (j && j.iteration !== state.shownIter) loadDetail(j.job);
  }

  function select(job) {
    state.selected = job;
    state.shownIter = null;
    history.replaceState(null, '', '#' + encodeURIComponent(job));
    renderJobs();
    loadDetail(job);
  }

  async function loadDetail(job) {
    const r = await fetch('/api/jobs/' + encodeURIComponent(job) + '?points=256');
    if (!r.ok || job !== state.selected) return;
    const d = await r.json();
    state.detail = d;
    state.shownIter = d.iteration;
    recordCurvature(d);
    renderDetail(d);
  }

  function renderDetail(d) {
    $('detail').hidden = false;
    $('d-job').textContent = d.job + (d.run ? '  ·  run ' + d.run.slice(0, 8) : '');
    $('v-phase').textContent = d.outcome ? d.phase + ' (' + d.outcome + ')' : fmt(d.phase);
    $('v-iteration').textContent = fmt(d.iteration);
    $('v-loss').textContent = fmt(d.loss);
    $('v-grad').textContent = fmt(d.gradient_norm);
    $('v-lr').textContent = fmt(d.learning_rate);
    $('v-lmax').textContent = fmt(d.lambda_max);
    $('v-lmin').textContent = fmt(d.lambda_min);
    $('v-dropped').textContent = fmt(d.agent_dropped_events);
    const s = d.series || {iter: [], loss: [], gradient_norm: [], learning_rate: []};
    const C = window.ThCharts;
    C.line($('chart-loss'), [{label: 'loss', color: '#1565c0', x: s.iter, y: s.loss}], {log: true});
    C.line($('chart-grad'), [{label: '‖g‖', color: '#6a1b9a', x: s.iter, y: s.gradient_norm}],
        {log: true});
    C.line($('chart-lr'), [{label: 'lr', color: '#2e7d32', x: s.iter, y: s.learning_rate}],
        {log: true});
    const c = state.curvature[d.job] || [];
    const it = c.map((p) => p.iter);
    C.line($('chart-curv'), [
      {label: 'λmax', color: '#c62828', x: it, y: c.map((p) => p.max)},
      {label: 'λmin', color: '#00838f', x: it, y: c.map((p) => p.min)},
      {label: '2/lr', color: '#9e9e9e', dash: true, x: it, y: c.map((p) => 2 / p.lr)},
    ], {});
    renderAlerts(d.alerts || []);
    renderActions(d);
  }

  function renderAlerts(alerts) {
    const body = $('alerts').tBodies[0];
    body.textContent = '';
    for (const a of alerts) {
      const tr = document.createElement('tr');
      tr.appendChild(text('td', a.rule));
      tr.appendChild(text('td', a.severity, 'sev-' + a.severity));
      tr.appendChild(text('td', a.state, 'state-' + a.state));
      tr.appendChild(text('td', a.state === 'inactive' ? '' : fmt(a.since_iter)));
      tr.appendChild(text('td', a.state === 'inactive' ? '' : fmt(a.value)));
      tr.appendChild(text('td', a.evidence || ''));
      body.appendChild(tr);
    }
  }

  // The job's actions, from rules and from people, with what the agent did and whether it helped.
  function renderActions(d) {
    const list = Array.isArray(d.actions) ? d.actions : [];
    $('actions-placeholder').hidden = list.length > 0;
    $('actions').hidden = list.length === 0;
    const body = $('actions').tBodies[0];
    body.textContent = '';
    for (const a of list.slice().reverse()) {
      const tr = document.createElement('tr');
      tr.dataset.action = a.id || '';
      tr.appendChild(text('td', (a.id || '').slice(0, 8)));
      tr.appendChild(text('td', a.action + ' ' + JSON.stringify(a.params || {})));
      tr.appendChild(text('td', a.source === 'rule' ? a.rule + ' #' + a.rung : a.source));
      tr.appendChild(text('td', a.status === 'not_sent' ? 'not sent: ' + a.not_sent_reason
          : fmt(a.sent_iter)));
      tr.appendChild(text('td', a.outcome + (a.outcome_reason ? ' (' + a.outcome_reason + ')' : '')));
      tr.appendChild(text('td', a.verdict + (a.verdict_reason ? ' (' + a.verdict_reason + ')' : ''),
          'verdict-' + a.verdict));
      tr.appendChild(text('td', a.reason || ''));
      body.appendChild(tr);
    }
  }

  function onAlert(a) {
    const li = text('li', new Date(a.ts).toLocaleTimeString() + '  ' + a.job + '  ' + a.rule
        + '  ' + a.from + ' → ' + a.to + (a.evidence ? '  (' + a.evidence + ')' : ''),
        'sev-' + a.severity);
    const tl = $('timeline');
    tl.insertBefore(li, tl.firstChild);
    while (tl.children.length > 200) tl.removeChild(tl.lastChild);
    if (a.job === state.selected) loadDetail(a.job);
  }

  async function sendAction(ev) {
    ev.preventDefault();
    const job = state.selected;
    const out = $('action-result');
    let params;
    try {
      params = JSON.parse($('a-params').value || '{}');
    } catch (e) {
      out.textContent = 'params is not JSON: ' + e.message;
      return;
    }
    const token = $('a-token').value;
    sessionStorage.setItem('th-token', token);
    const body = {action: $('a-action').value, params: params, reason: $('a-reason').value};
    out.textContent = 'sending…';
    try {
      const r = await fetch('/api/jobs/' + encodeURIComponent(job) + '/actions', {
        method: 'POST',
        headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token},
        body: JSON.stringify(body),
      });
      out.textContent = r.status + ' ' + r.statusText + '\n' + await r.text();
    } catch (e) {
      out.textContent = 'failed: ' + e.message;
    }
  }

  function connect() {
    const es = new EventSource('/api/stream');
    es.addEventListener('open', () => { $('conn').textContent = 'live'; $('conn').className = 'conn on'; });
    es.addEventListener('error', () => { $('conn').textContent = 'reconnecting…'; $('conn').className = 'conn off'; });
    es.addEventListener('jobs', (e) => onJobs(JSON.parse(e.data)));
    es.addEventListener('alert', (e) => onAlert(JSON.parse(e.data)));
  }

  $('action-form').addEventListener('submit', sendAction);
  $('a-token').value = sessionStorage.getItem('th-token') || '';
  fetch('/api/jobs').then((r) => r.json()).then(onJobs).catch(() => {});
  connect();
})();
