// Polls the relay's API and redraws the table; the page works offline (no CDN, no framework).
(function () {
    const rows = document.getElementById('readings');
    const status = document.getElementById('status');
    const filter = document.getElementById('filter');
    let device = '';

    function cell(text) {
        const td = document.createElement('td');
        td.textContent = text;
        return td;
    }

    function time(iso) {
        return iso ? iso.replace('T', ' ').replace('Z', ' UTC') : '';
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
            rows.replaceChildren(...page.items.map((r) => {
                const tr = document.createElement('tr');
                tr.append(cell(r.deviceId), cell(r.seq), cell(r.dbfs.toFixed(1)), cell(r.rms.toFixed(1)),
                    cell(r.peak.toFixed(0)), cell(r.source), cell(time(r.sampledAt)), cell(time(r.receivedAt)),
                    cell(time(r.storedAt)));
                return tr;
            }));
            status.textContent = page.totalElements + ' stored, showing ' + page.items.length + '.';
        } catch (e) {
            status.textContent = 'Cannot reach the relay (' + e.message + '), retrying…';
        }
    }

    filter.addEventListener('submit', (event) => {
        event.preventDefault();
        device = new FormData(filter).get('device').trim();
        refresh();
    });

    refresh();
    setInterval(refresh, 2000);
})();
