// The relay's live page: the newest stored readings from the API, then each committed batch as it comes
// (Server-Sent Events from api/readings/stream), a chart of the level per device, the latest level and the ACK counts.
// A reading with A-weighted levels (contract v1.1) is shown by its LAeq, in dB(A) when calibrated and dB(A)FS when not,
// with a band from LAF90 to LAFmax on the chart; a v1 reading by its dBFS.
// With a device chosen, its noise over time: Leq per minute of the last hour and per hour of the last day, Lden per day
// of the last month (api/devices/{id}/levels); and the open alerts (api/alerts), of that device or of all.
// Everything is served by the relay itself: no CDN, no framework, it works offline.
(function () {
    const MAX_ROWS = 200;
    const MAX_POINTS = 300;
    const COLOURS = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b83280', '#2c7a7b', '#975a16', '#4a5568'];
    const SVG = 'http://www.w3.org/2000/svg';

    const tbody = document.getElementById('readings');
    const status = document.getElementById('status');
    const filter = document.getElementById('filter');
    const levels = document.getElementById('levels');
    const chart = document.getElementById('chart');
    const chartTitle = document.getElementById('chart-title');
    const deviceView = document.getElementById('device-view');
    const alertsList = document.getElementById('alerts');
    const OVER_TIME_REFRESH_MS = 15000;

    let device = '';
    let rows = [];                  // newest first, at most MAX_ROWS
    let seen = new Set();           // "device/seq" of every reading shown since the last filter change
    let series = new Map();         // device -> [{t, level, high, low, unit, seq}], oldest first, at most MAX_POINTS
    const colours = new Map();      // device -> colour, stable for the page's life
    let fresh = new Set();          // keys of the rows that arrived live since the last render
    let renderQueued = false;

    function key(r) {
        return r.deviceId + '/' + r.seq;
    }

    function colour(id) {
        if (!colours.has(id)) {
            colours.set(id, COLOURS[colours.size % COLOURS.length]);
        }
        return colours.get(id);
    }

    function hasLevels(r) {
        return r.laeq !== undefined && r.laeq !== null;
    }

    /** The unit of the reading's level: dB(A) (calibrated), dB(A)FS (re full scale) or dBFS (a v1 reading). */
    function unit(r) {
        return hasLevels(r) ? (r.calibrated ? 'dB(A)' : 'dB(A)FS') : 'dBFS';
    }

    function point(r) {
        const levels = hasLevels(r);
        return {
            t: Date.parse(r.sampledAt), seq: r.seq, unit: unit(r), level: levels ? r.laeq : r.dbfs,
            high: levels ? r.lafmax : null, low: levels ? r.laf90 : null
        };
    }

    function fixed(value) {
        return (value === undefined || value === null) ? '' : value.toFixed(1);
    }

    function time(iso) {
        return iso ? iso.replace('T', ' ').replace('Z', ' UTC') : '';
    }

    // the API's order: storedAt, then deviceId, then seq, all descending (device ids are ASCII: compared by code unit)
    function newestFirst(a, b) {
        return compare(instant(b.storedAt), instant(a.storedAt)) || compare(b.deviceId, a.deviceId) || b.seq - a.seq;
    }

    function compare(x, y) {
        return x < y ? -1 : (x > y ? 1 : 0);
    }

    // ISO instants as the API writes them leave out a zero fraction: padded, they compare as text
    function instant(iso) {
        const [seconds, fraction = ''] = iso.replace('Z', '').split('.');
        return seconds + '.' + fraction.padEnd(9, '0');
    }

    /** Adds the readings not shown yet (of the chosen device), newest rows first. */
    function merge(readings, live) {
        let added = 0;
        for (const r of readings) {
            if ((device && r.deviceId !== device) || seen.has(key(r))) {
                continue;
            }
            seen.add(key(r));
            added++;
            rows.push(r);
            if (live) {
                fresh.add(key(r));
            }
            const points = series.get(r.deviceId) || [];
            points.push(point(r));
            series.set(r.deviceId, points);
        }
        if (added > 0) {
            rows.sort(newestFirst);
            rows = rows.slice(0, MAX_ROWS);
            for (const points of series.values()) {
                points.sort((a, b) => a.t - b.t || a.seq - b.seq);
                points.splice(0, Math.max(0, points.length - MAX_POINTS));
            }
            queueRender();
        }
    }

    function queueRender() {
        if (!renderQueued) {
            renderQueued = true;
            requestAnimationFrame(() => {
                renderQueued = false;
                renderTable();
                renderLevels();
                renderChart();
            });
        }
    }

    function cell(text) {
        const td = document.createElement('td');
        td.textContent = text;
        return td;
    }

    function renderTable() {
        tbody.replaceChildren(...rows.map((r) => {
            const tr = document.createElement('tr');
            tr.dataset.key = key(r);
            if (fresh.has(key(r))) {
                tr.className = 'new';
            }
            tr.append(cell(r.deviceId), cell(r.seq), cell(hasLevels(r) ? fixed(r.laeq) + ' ' + unit(r) : ''),
                cell(fixed(r.lafmax)), cell(fixed(r.laf90)), cell(r.dbfs.toFixed(1)), cell(r.rms.toFixed(1)),
                cell(r.peak.toFixed(0)), cell(r.source), cell(time(r.sampledAt)), cell(time(r.receivedAt)),
                cell(time(r.storedAt)));
            return tr;
        }));
        fresh = new Set();
    }

    function renderLevels() {
        const devices = [...series.keys()].sort();
        levels.replaceChildren(...devices.map((id) => {
            const points = series.get(id);
            const latest = points[points.length - 1];
            const li = document.createElement('li');
            li.dataset.latest = id;
            li.style.setProperty('--colour', colour(id));
            const name = document.createElement('span');
            name.className = 'device';
            name.textContent = id + ' · seq ' + latest.seq;
            const level = document.createElement('span');
            level.className = 'level';
            level.textContent = latest.level.toFixed(1) + ' ' + latest.unit;
            li.append(name, level);
            if (latest.high !== null) {
                const band = document.createElement('span');
                band.className = 'band';
                band.textContent = 'LAFmax ' + latest.high.toFixed(1) + ' · LAF90 ' + latest.low.toFixed(1);
                li.append(band);
            }
            return li;
        }));
    }

    function svg(name, attributes, text) {
        const element = document.createElementNS(SVG, name);
        for (const [k, v] of Object.entries(attributes)) {
            element.setAttribute(k, v);
        }
        if (text !== undefined) {
            element.textContent = text;
        }
        return element;
    }

    /**
     * Hand-drawn SVG: a line per device (LAeq, or dBFS for v1 readings), time across, level up, and behind each line a
     * band from LAF90 to LAFmax where the readings carry them; the scale follows the data.
     */
    function renderChart() {
        const width = chart.clientWidth || 800;
        const height = chart.clientHeight || 240;
        const left = 44, right = 10, top = 10, bottom = 22;
        chart.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
        const all = [...series.values()].flat();
        const units = [...new Set(all.map((p) => p.unit))].sort();
        chartTitle.textContent = 'Level over time' + (units.length ? ' (' + units.join(', ') + ')' : '');
        if (all.length === 0) {
            chart.replaceChildren(svg('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'empty' },
                'Waiting for readings…'));
            return;
        }
        let t0 = Math.min(...all.map((p) => p.t)), t1 = Math.max(...all.map((p) => p.t));
        if (t1 - t0 < 1000) {
            t0 -= 500;
            t1 += 500;
        }
        let low = Math.floor(Math.min(...all.map((p) => p.low !== null ? p.low : p.level)) / 10) * 10;
        let high = Math.ceil(Math.max(...all.map((p) => p.high !== null ? p.high : p.level)) / 10) * 10;
        if (high - low < 10) {
            low = high - 10;
        }
        const x = (t) => left + (t - t0) / (t1 - t0) * (width - left - right);
        const y = (level) => top + (high - level) / (high - low) * (height - top - bottom);
        const parts = [];
        const step = (high - low) > 40 ? 20 : 10;
        for (let level = low; level <= high; level += step) {
            parts.push(svg('line', { x1: left, x2: width - right, y1: y(level), y2: y(level), class: 'grid' }));
            parts.push(svg('text', { x: left - 6, y: y(level) + 4, 'text-anchor': 'end', class: 'axis' }, level));
        }
        const clock = (t) => new Date(t).toISOString().substring(11, 19);
        parts.push(svg('text', { x: left, y: height - 6, class: 'axis' }, clock(t0)));
        parts.push(svg('text', { x: width - right, y: height - 6, 'text-anchor': 'end', class: 'axis' }, clock(t1)));
        for (const id of [...series.keys()].sort()) {
            const points = series.get(id);
            const banded = points.filter((p) => p.high !== null);
            if (banded.length > 0) {
                // LAFmax along the top, then LAF90 back along the bottom
                const outline = banded.map((p) => x(p.t).toFixed(1) + ',' + y(p.high).toFixed(1))
                    .concat(banded.slice().reverse().map((p) => x(p.t).toFixed(1) + ',' + y(p.low).toFixed(1)));
                const band = svg('polygon', {
                    points: outline.join(' '), fill: colour(id), class: 'band', 'data-band': id,
                    'data-points': banded.length
                });
                band.append(svg('title', {}, id + ': LAF90 to LAFmax'));
                parts.push(band);
            }
            const line = svg('polyline', {
                points: points.map((p) => x(p.t).toFixed(1) + ',' + y(p.level).toFixed(1)).join(' '),
                stroke: colour(id), 'data-device': id, 'data-points': points.length
            });
            line.append(svg('title', {}, id));
            parts.push(line);
            // the latest point stands out (and a device with one reading still shows)
            const last = points[points.length - 1];
            parts.push(svg('circle', { cx: x(last.t), cy: y(last.level), r: 3.5, fill: colour(id) }));
        }
        chart.replaceChildren(...parts);
    }

    async function json(path) {
        const response = await fetch(path);
        if (!response.ok) {
            throw new Error('HTTP ' + response.status);
        }
        return response.json();
    }

    /** The unit of an aggregate: dBFS when all its readings were v1 ones, dB(A)FS when some were uncalibrated. */
    function itemUnit(item) {
        if (item.dbfsReadings === item.readings) {
            return 'dBFS';
        }
        return item.uncalibratedReadings > 0 || item.dbfsReadings > 0 ? 'dB(A)FS' : 'dB(A)';
    }

    /** A bar per interval with readings (its Leq) and a line from L90 to LAFmax, across the window asked for. */
    function renderBars(element, levels) {
        const width = element.clientWidth || 800;
        const height = element.clientHeight || 160;
        const left = 44, right = 10, top = 10, bottom = 22;
        element.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
        const items = levels.items.filter((item) => item.readings > 0);
        element.dataset.bars = items.length;
        if (items.length === 0) {
            element.replaceChildren(svg('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'empty' },
                'Nothing measured'));
            return;
        }
        const t0 = Date.parse(levels.from), t1 = Date.parse(levels.to);
        let low = Math.floor(Math.min(...items.map((item) => Math.min(item.l90, item.leq))) / 10) * 10 - 10;
        const high = Math.ceil(Math.max(...items.map((item) => item.lafmax)) / 10) * 10;
        const x = (t) => left + (Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0) * (width - left - right);
        const y = (level) => top + (high - level) / (high - low) * (height - top - bottom);
        const parts = [];
        for (let level = low; level <= high; level += (high - low) > 40 ? 20 : 10) {
            parts.push(svg('line', { x1: left, x2: width - right, y1: y(level), y2: y(level), class: 'grid' }));
            parts.push(svg('text', { x: left - 6, y: y(level) + 4, 'text-anchor': 'end', class: 'axis' }, level));
        }
        const clock = (t) => new Date(t).toISOString().substring(levels.interval === '1m' ? 11 : 5, 16).replace('T', ' ');
        parts.push(svg('text', { x: left, y: height - 6, class: 'axis' }, clock(t0)));
        parts.push(svg('text', { x: width - right, y: height - 6, 'text-anchor': 'end', class: 'axis' }, clock(t1)));
        for (const item of items) {
            const x0 = x(Date.parse(item.start)), x1 = x(Date.parse(item.end));
            const bar = svg('rect', {
                x: x0.toFixed(1), y: y(item.leq).toFixed(1), width: Math.max(1, x1 - x0 - 1).toFixed(1),
                height: (y(low) - y(item.leq)).toFixed(1), 'data-start': item.start, 'data-leq': item.leq
            });
            bar.append(svg('title', {}, time(item.start) + ': Leq ' + fixed(item.leq) + ' ' + itemUnit(item) + ', L90 '
                + fixed(item.l90) + ', LAFmax ' + fixed(item.lafmax) + ', ' + item.readings + ' readings'));
            const middle = ((x0 + x1) / 2).toFixed(1);
            parts.push(bar, svg('line', { x1: middle, x2: middle, y1: y(item.lafmax), y2: y(item.l90), class: 'range' }));
        }
        element.replaceChildren(...parts);
    }

    function renderDays(items) {
        const days = document.getElementById('days');
        days.replaceChildren(...items.filter((item) => item.readings > 0).reverse().map((item) => {
            const tr = document.createElement('tr');
            tr.dataset.day = item.day;
            tr.append(cell(item.day), cell(fixed(item.lden)), cell(fixed(item.lday)), cell(fixed(item.levening)),
                cell(fixed(item.lnight)), cell(fixed(item.leq) + ' ' + itemUnit(item)), cell(fixed(item.l90)),
                cell(Math.round(item.coverage * 100) + ' %'));
            return tr;
        }));
    }

    function renderAlerts(alerts) {
        document.getElementById('alerts-title').textContent = 'Open alerts' + (device ? ' of ' + device : '');
        if (alerts.length === 0) {
            const none = document.createElement('li');
            none.className = 'none';
            none.textContent = 'None';
            alertsList.replaceChildren(none);
            return;
        }
        alertsList.replaceChildren(...alerts.map((alert) => {
            const li = document.createElement('li');
            li.dataset.alert = alert.id;
            const rule = document.createElement('span');
            rule.className = 'rule';
            rule.textContent = alert.rule;
            li.append(rule, ' · ' + alert.deviceId + ' · ' + alert.metric + ' over ' + fixed(alert.limit) + ' dB since '
                + time(alert.raisedAt) + ', up to ' + fixed(alert.level) + ' dB');
            return li;
        }));
    }

    async function refreshOverTime() {
        const chosen = device;
        try {
            const alerts = await json('api/alerts' + (chosen ? '?device=' + encodeURIComponent(chosen) : ''));
            if (chosen === device) {
                renderAlerts(alerts.items);
            }
            if (!chosen) {
                deviceView.hidden = true;
                return;
            }
            const path = 'api/devices/' + encodeURIComponent(chosen) + '/levels?interval=';
            const [minutes, hours, days] = await Promise.all(['1m', '1h', '1d'].map((interval) => json(path + interval)));
            if (chosen !== device) {
                return;
            }
            deviceView.hidden = false;
            document.getElementById('device-title').textContent = 'Noise over time: ' + chosen;
            renderBars(document.getElementById('minutes-chart'), minutes);
            renderBars(document.getElementById('hours-chart'), hours);
            renderDays(days.items);
        } catch (e) {
            showStatus('reconnecting', 'Cannot reach the relay (' + e.message + '), retrying…');
        }
    }

    function showStatus(state, text) {
        status.dataset.state = state;
        status.textContent = text;
    }

    function showCounts(counts) {
        for (const name of ['stored', 'duplicate', 'rejected']) {
            document.getElementById('count-' + name).textContent = counts[name];
        }
    }

    async function refresh() {
        const query = new URLSearchParams({ size: '100' });
        if (device) {
            query.set('device', device);
        }
        try {
            const response = await fetch('api/readings?' + query);
            if (!response.ok) {
                throw new Error('HTTP ' + response.status);
            }
            const page = await response.json();
            merge(page.items, false);
            queueRender();
        } catch (e) {
            showStatus('reconnecting', 'Cannot reach the relay (' + e.message + '), retrying…');
        }
    }

    function connect() {
        const events = new EventSource('api/readings/stream');
        events.addEventListener('open', () => {
            showStatus('live', 'Live');
            // first connect, or back after a break: what was stored meanwhile comes from the API
            refresh();
        });
        events.addEventListener('error', () => {
            // EventSource reconnects by itself
            showStatus('reconnecting', 'Reconnecting…');
        });
        events.addEventListener('readings', (event) => {
            merge(JSON.parse(event.data), true);
        });
        events.addEventListener('counts', (event) => showCounts(JSON.parse(event.data)));
    }

    filter.addEventListener('submit', (event) => {
        event.preventDefault();
        device = new FormData(filter).get('device').trim();
        rows = [];
        seen = new Set();
        series = new Map();
        queueRender();
        refresh();
        refreshOverTime();
    });

    window.addEventListener('resize', queueRender);
    queueRender();
    connect();
    refreshOverTime();
    setInterval(refreshOverTime, OVER_TIME_REFRESH_MS);
})();
