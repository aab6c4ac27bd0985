/*
 * inkoopkalender dashboard: draws the charts with Chart.js (served from
 * /assets/chart.umd.js) and keeps the page current without reloading it:
 * it polls the page's JSON (body[data-poll]) and, when that changes, redraws
 * the charts and swaps in fresh server-rendered sections ([data-live]),
 * leaving alone any section the user is typing in.
 */
(() => {
  'use strict';
  const POLL_MS = 2000;
  const DAY = 86_400_000;
  const COLORS = { done: '#00703c', next: '#1d70b8', running: '#b58105', failed: '#b00020', due: '#9a9a9a' };
  const TZ = 'Europe/Amsterdam';
  const monthFormat = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: TZ });
  const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: TZ });

  const body = document.body;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
  const charts = {};
  window.inkoopCharts = charts; // for tests and the curious

  let lastSeen = null;
  /** While the clock is being moved, the clock bar (with its disabled button) stays as it is. */
  let advancing = false;

  // ------------------------------------------------------------ charts

  /** A dashed vertical line at `options.now` on the x scale: "now" on the clock in use. */
  const nowLine = {
    id: 'nowLine',
    afterDatasetsDraw(chart, _args, options) {
      const x = chart.scales.x;
      const now = options.now;
      if (now == null || now < x.min || now > x.max) return;
      const px = x.getPixelForValue(now);
      const { top, bottom } = chart.chartArea;
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = COLORS.failed;
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(px, top);
      ctx.lineTo(px, bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = COLORS.failed;
      ctx.font = '600 12px system-ui, sans-serif';
      ctx.fillText('now', px + 4, top + 12);
      ctx.restore();
    },
  };

  const colorOf = (m) => (m.status === 'due' && m.next ? COLORS.next : COLORS[m.status] ?? COLORS.due);

  /** Month starts between min and max (UTC first-of-month: close enough for a year-long axis). */
  function monthTicks(min, max) {
    const ticks = [];
    const d = new Date(min);
    let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    for (; t <= max; t = Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth() + 1, 1)) ticks.push({ value: t });
    return ticks;
  }

  const short = (text, max = 38) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

  const describeDates = (m) => (m.date ? dayFormat.format(m.from) : `${dayFormat.format(m.from)} – ${dayFormat.format(m.to)}`);

  function timelineConfig(status) {
    const ms = status.milestones;
    const now = Date.parse(status.now);
    const min = Math.min(...ms.map((m) => m.from)) - 10 * DAY;
    const max = Math.max(...ms.map((m) => m.to)) + 10 * DAY;
    return {
      type: 'bar',
      data: {
        labels: ms.map((m) => short(m.title)),
        datasets: [
          {
            label: 'Milestones',
            // Floating bars: [start, end] in epoch ms; a one-day moment still gets a visible bar.
            data: ms.map((m) => [m.from, Math.max(m.to, m.from + DAY)]),
            backgroundColor: ms.map(colorOf),
            borderSkipped: false,
            borderRadius: 3,
            minBarLength: 8,
            barPercentage: 0.75,
          },
        ],
      },
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: {
            type: 'linear',
            position: 'top',
            min,
            max,
            afterBuildTicks: (axis) => {
              axis.ticks = monthTicks(axis.min, axis.max);
            },
            ticks: { callback: (value) => monthFormat.format(value), maxRotation: 0 },
          },
          y: { ticks: { autoSkip: false, font: { size: 12 } } },
        },
        plugins: {
          legend: { display: false },
          nowLine: { now },
          tooltip: {
            callbacks: {
              title: (items) => ms[items[0].dataIndex].title,
              label: (item) => {
                const m = ms[item.dataIndex];
                return `${m.status}${m.next ? ' (next)' : ''}: ${describeDates(m)}`;
              },
            },
          },
        },
      },
      plugins: [nowLine],
    };
  }

  function statesConfig(status) {
    const entries = Object.entries(status.applications.byState).filter(([, n]) => n > 0);
    return {
      type: 'bar',
      data: {
        labels: entries.map(([state]) => state),
        datasets: [{ label: 'Applications', data: entries.map(([, n]) => n), backgroundColor: COLORS.next }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: false } },
      },
    };
  }

  /** Creates the chart once, then swaps its data and options in place. */
  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (!canvas || typeof Chart === 'undefined') return;
    const existing = charts[id];
    if (existing && existing.canvas === canvas) {
      existing.data = config.data;
      existing.options = config.options;
      existing.update('none');
      return;
    }
    existing?.destroy();
    charts[id] = new Chart(canvas, config);
  }

  function drawCycle(status) {
    draw('timeline-chart', timelineConfig(status));
    draw('states-chart', statesConfig(status));
  }

  // ------------------------------------------------------------ live sections

  /** A section the user is working in: focus inside it, or a form with typed input. */
  function inUse(section) {
    const focused = document.activeElement;
    const typing = !!focused && section.contains(focused) && ['INPUT', 'TEXTAREA', 'SELECT'].includes(focused.tagName);
    return typing || !!section.querySelector('form[data-dirty]');
  }

  async function swapSections() {
    const res = await fetch(location.pathname + location.search, { credentials: 'same-origin', headers: { accept: 'text/html' } });
    if (!res.ok) return;
    const fresh = new DOMParser().parseFromString(await res.text(), 'text/html');
    for (const next of fresh.querySelectorAll('[data-live]')) {
      const current = document.querySelector(`[data-live="${CSS.escape(next.dataset.live)}"]`);
      if (!current || inUse(current) || current.innerHTML === next.innerHTML) continue;
      if (advancing && next.dataset.live === 'clock') continue;
      current.replaceWith(document.importNode(next, true));
    }
  }

  /** The JSON without the clock's own fields: a ticking clock alone is no reason to re-render. */
  const fingerprint = (text) => JSON.stringify(JSON.parse(text), (key, value) => (key === 'now' || key === 'nowLocal' ? undefined : value));

  async function refreshOnce(force) {
    if (!body.dataset.poll) return;
    try {
      const res = await fetch(body.dataset.poll, { credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (!res.ok) return;
      const text = await res.text();
      const data = JSON.parse(text);
      if (body.dataset.cycle) drawCycle(data);
      const seen = fingerprint(text);
      const changed = lastSeen !== null && seen !== lastSeen;
      lastSeen = seen;
      if (changed || force) {
        await swapSections();
        body.dataset.refreshedAt = String(Date.now());
      }
    } catch (error) {
      console.warn('dashboard refresh failed', error);
    }
  }

  /** One refresh at a time; a request that comes in meanwhile (a forced one after an advance) runs right after. */
  let running = null;
  let again = false;
  let forceNext = false;
  function refresh(force = false) {
    forceNext = forceNext || force;
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        const force = forceNext;
        forceNext = false;
        await refreshOnce(force);
      } while (again);
    })().finally(() => {
      running = null;
    });
    return running;
  }

  // ------------------------------------------------------------ events

  document.addEventListener('input', (e) => e.target.closest?.('form')?.setAttribute('data-dirty', ''));

  // Advance the virtual clock without leaving the page.
  document.addEventListener('submit', async (e) => {
    const form = e.target.closest('form[data-advance]');
    if (!form) return;
    e.preventDefault();
    const button = form.querySelector('button');
    advancing = true;
    if (button) {
      button.disabled = true;
      button.textContent = 'Advancing…';
    }
    try {
      const res = await fetch('/operator/clock/advance', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: '{}',
      });
      if (!res.ok) console.warn('advance refused', res.status, await res.text());
    } finally {
      advancing = false;
      await refresh(true);
      // Done: the page shows the clock where the move ended (tests wait for this).
      body.dataset.advances = String(Number(body.dataset.advances ?? 0) + 1);
      // The clock bar was swapped; if it was not (nothing changed), re-enable the button.
      if (button?.isConnected) {
        button.disabled = false;
        button.textContent = 'Advance to the next milestone';
      }
    }
  });

  refresh();
  setInterval(() => {
    if (!document.hidden) refresh();
  }, POLL_MS);
})();
