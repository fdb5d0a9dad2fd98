'use strict';
// The search page: an image comes in (drop, file picker, paste, or a click on a result),
// goes to the JSON API, and the top results come back as cards.
(() => {
  const $ = id => document.getElementById(id);
  const { apiFetch, showImage } = window.lookalikeAccess;
  const dropZone = $('drop-zone'), fileInput = $('file-input'), preview = $('query-preview');
  const kInput = $('k-input'), indexSelect = $('index-select');
  const labelInput = $('label-input'), prefixInput = $('prefix-input'), similarityInput = $('similarity-input');
  const statusLine = $('status'), errorLine = $('error'), statsLine = $('stats'), results = $('results');
  let lastQuery = null; // { file } or { id, fileName, width, height }
  let region = null; // { x, y, w, h } in the query's own pixels, or null for the whole image

  // Rounds -0.00001 to 0 rather than showing "-0.0000".
  const fmt = (x, digits) => (Math.abs(x) < 0.5 * 10 ** -digits ? 0 : Number(x)).toFixed(digits);

  async function loadCollection() {
    try {
      const response = await apiFetch('/api/collection');
      if (!response.ok) {
        $('collection-summary').textContent = response.status === 401
          ? 'The collection is shown once the server accepts a key.'
          : `The collection could not be loaded (HTTP ${response.status}).`;
        return;
      }
      const c = await response.json();
      $('collection-summary').textContent =
        `${c.count.toLocaleString()} images · model ${c.model} · metric ${c.metric}`;
      kInput.max = c.maxK;
      indexSelect.options[1].textContent = `approximate: ${c.approximateIndex}`;
    } catch (e) {
      $('collection-summary').textContent = 'The collection could not be loaded.';
    }
  }

  function showError(message) {
    errorLine.textContent = message;
    errorLine.hidden = !message;
  }

  // The search fields as name/value pairs: k, index, one `label` per comma-separated label, the path prefix and the cut-off.
  function choices() {
    const fields = [['k', kInput.value || '10'], ['index', indexSelect.value]];
    labelInput.value.split(',').map(l => l.trim()).filter(l => l).forEach(l => fields.push(['label', l]));
    if (prefixInput.value.trim()) fields.push(['pathPrefix', prefixInput.value.trim()]);
    if (Number(similarityInput.value) > 0) fields.push(['minSimilarity', similarityInput.value]);
    return fields;
  }

  function showSimilarity() {
    $('similarity-value').textContent = Number(similarityInput.value) > 0 ? fmt(similarityInput.value, 2) : 'off';
  }

  // While `lookalike index` adds to the collection, a bar shows how far it is; the count follows what is searchable.
  async function watchIndexing() {
    let running = false;
    try {
      const s = await (await apiFetch('/api/indexing')).json();
      running = s.running;
      $('indexing').hidden = !running;
      if (running) {
        const total = s.total ? ` of ${s.total.toLocaleString()}` : '';
        $('indexing-text').textContent =
          `${s.stage} ${s.folder}: ${s.completed.toLocaleString()}${total} · ${s.searchable.toLocaleString()} images searchable now`;
        const bar = $('indexing-bar');
        if (s.total) { bar.max = s.total; bar.value = s.completed; } else { bar.removeAttribute('value'); }
        loadCollection();
      }
    } catch (e) {
      $('indexing').hidden = true;
    }
    setTimeout(watchIndexing, running ? 2000 : 5000);
  }

  function showPreview(src, alt) {
    if (src.startsWith('/api/')) showImage(preview, src); else preview.src = src;
    preview.alt = alt;
    preview.hidden = false;
    $('region-help').hidden = false;
    $('clear-region').hidden = !region;
    $('crop-box').hidden = !region;
  }

  // keepRegion: the same image searched again (other choices, or a region just drawn on it).
  async function searchWithFile(file, keepRegion = false) {
    if (!file) return;
    const same = lastQuery && lastQuery.file === file;
    if (!keepRegion) region = null;
    if (same) showPreview(preview.src, preview.alt); else showPreview(URL.createObjectURL(file), `Query image: ${file.name || 'pasted image'}`);
    lastQuery = { file };
    const form = new FormData();
    form.append('image', file, file.name || 'pasted.png');
    choices().forEach(([name, value]) => form.append(name, value));
    const area = region ? `${region.x},${region.y},${region.w},${region.h}` : null;
    if (area) form.append('crop', area);
    showSeen(file, area);
    await run(`search for ${file.name || 'the pasted image'}${area ? `, region ${area}` : ''}`, () => apiFetch('/api/search', { method: 'POST', body: form }));
  }

  // "What the model sees": the backbone's top ImageNet classes of the query (when the server's model has a classifier).
  let seenFor = 0;
  async function showSeen(file, area) {
    const mine = ++seenFor;
    const form = new FormData();
    form.append('image', file, file.name || 'pasted.png');
    if (area) form.append('crop', area);
    try {
      const response = await apiFetch('/api/search/labels', { method: 'POST', body: form });
      if (mine !== seenFor) return;
      if (!response.ok) { $('seen').hidden = true; return; }
      const body = await response.json();
      $('seen').textContent = 'What the model sees: ' +
        body.labels.map(l => `${l.label.replaceAll('_', ' ')} ${Math.round(l.probability * 100)} %`).join(', ');
      $('seen').hidden = false;
    } catch (e) {
      if (mine === seenFor) $('seen').hidden = true;
    }
  }

  async function searchWithId(id, fileName, width, height) {
    region = null;
    seenFor++;
    $('seen').hidden = true;
    lastQuery = { id, fileName, width, height };
    showPreview(`/api/images/${id}/thumbnail`, `Query image: ${fileName}`);
    const query = new URLSearchParams(choices());
    await run(`more like ${fileName}`, () => apiFetch(`/api/search/by-id/${id}?${query}`, { method: 'POST' }));
  }

  // A region of a stored image is searched with its original file (the stored features are of the whole image).
  async function searchRegionOfStored() {
    const { id, fileName } = lastQuery;
    const response = await apiFetch(`/api/images/${id}`);
    if (!response.ok) { showError(`The original of ${fileName} could not be fetched (HTTP ${response.status}).`); return; }
    const blob = await response.blob();
    const file = new File([blob], fileName, { type: blob.type });
    showPreview(URL.createObjectURL(file), `Query image: ${fileName}`);
    lastQuery = { file };
    await searchWithFile(file, true);
  }

  // Dragging a box on the preview: the box is kept as fractions of the shown image, the region in the image's own pixels.
  let dragStart = null;
  const fraction = e => {
    const r = preview.getBoundingClientRect();
    return { x: Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)), y: Math.min(1, Math.max(0, (e.clientY - r.top) / r.height)) };
  };
  function drawBox(a, b) {
    const box = $('crop-box');
    box.style.left = `${Math.min(a.x, b.x) * 100}%`;
    box.style.top = `${Math.min(a.y, b.y) * 100}%`;
    box.style.width = `${Math.abs(a.x - b.x) * 100}%`;
    box.style.height = `${Math.abs(a.y - b.y) * 100}%`;
    box.hidden = false;
  }
  preview.addEventListener('pointerdown', e => {
    e.preventDefault();
    e.stopPropagation();
    dragStart = fraction(e);
    preview.setPointerCapture(e.pointerId);
    drawBox(dragStart, dragStart);
  });
  preview.addEventListener('pointermove', e => { if (dragStart) drawBox(dragStart, fraction(e)); });
  preview.addEventListener('pointerup', e => {
    if (!dragStart || !lastQuery) return;
    e.stopPropagation();
    const a = dragStart, b = fraction(e);
    dragStart = null;
    const width = lastQuery.file ? preview.naturalWidth : lastQuery.width;
    const height = lastQuery.file ? preview.naturalHeight : lastQuery.height;
    const x = Math.round(Math.min(a.x, b.x) * width), y = Math.round(Math.min(a.y, b.y) * height);
    const w = Math.min(width - x, Math.round(Math.abs(a.x - b.x) * width)), h = Math.min(height - y, Math.round(Math.abs(a.y - b.y) * height));
    if (w < 4 || h < 4) { $('crop-box').hidden = !region; return; } // a click, not a box
    region = { x, y, w, h };
    if (lastQuery.file) searchWithFile(lastQuery.file, true); else searchRegionOfStored();
  });
  preview.addEventListener('click', e => e.stopPropagation());
  $('clear-region').addEventListener('click', () => {
    region = null;
    if (lastQuery && lastQuery.file) searchWithFile(lastQuery.file, true);
  });

  // Only the latest search may draw: an earlier one that answers late is dropped.
  let searches = 0;

  async function run(what, request) {
    const mine = ++searches;
    showError('');
    statusLine.textContent = `Searching (${what})…`;
    results.setAttribute('aria-busy', 'true');
    try {
      const response = await request();
      const body = await response.json().catch(() => ({}));
      if (mine !== searches) return;
      if (!response.ok) {
        showError(`${body.title || response.statusText}: ${body.detail || 'request failed'} (HTTP ${response.status})`);
        statusLine.textContent = '';
        return;
      }
      render(body);
      statusLine.textContent = `Showing ${body.results.length} results (${what}).`;
    } catch (e) {
      if (mine !== searches) return;
      showError(`The server could not be reached: ${e.message}`);
      statusLine.textContent = '';
    } finally {
      if (mine === searches) results.removeAttribute('aria-busy');
    }
  }

  function render(body) {
    const s = body.stats;
    statsLine.textContent =
      `${s.index} · ${s.metric} · ${s.visited.toLocaleString()} of ${s.collectionSize.toLocaleString()} images visited ` +
      `(${fmt(s.visitedPercent, 1)} %) · index ${fmt(s.indexMilliseconds, 1)} ms · total ${fmt(s.totalMilliseconds, 0)} ms` +
      (s.filteredOut ? ` · ${s.filteredOut.toLocaleString()} filtered out` : '') +
      (s.belowCutOff ? ` · ${s.belowCutOff.toLocaleString()} below the similarity cut-off` : '');
    results.replaceChildren(...body.results.map(card));
  }

  function card(r) {
    const item = document.createElement('li');
    item.className = 'result-card';
    const button = document.createElement('button');
    button.type = 'button';
    button.title = 'Search for images like this one';
    button.setAttribute('aria-label', `Rank ${r.rank}: ${r.fileName}${r.label ? ', ' + r.label : ''}. Search for images like this one.`);
    const img = document.createElement('img');
    showImage(img, r.thumbnailUrl);
    img.loading = 'lazy';
    img.alt = `${r.fileName}${r.label ? ' (' + r.label + ')' : ''}`;
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.innerHTML = '<span class="rank"></span> <span class="name"></span><br><span class="score"></span><br><span class="label"></span>';
    meta.querySelector('.rank').textContent = `#${r.rank}`;
    meta.querySelector('.name').textContent = r.fileName;
    meta.querySelector('.score').textContent = `distance ${fmt(r.distance, 4)} · similarity ${fmt(r.similarity, 3)}`;
    meta.querySelector('.label').textContent = r.label ? `label: ${r.label}` : '';
    button.append(img, meta);
    button.addEventListener('click', () => searchWithId(r.id, r.fileName, r.width, r.height));
    item.append(button);
    return item;
  }

  function firstImage(items) {
    for (const item of items || []) {
      if (item.kind === 'file' && item.type.startsWith('image/')) return item.getAsFile();
    }
    return null;
  }

  dropZone.addEventListener('click', () => fileInput.click());
  dropZone.addEventListener('keydown', e => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); fileInput.click(); }
  });
  ['dragenter', 'dragover'].forEach(type => dropZone.addEventListener(type, e => {
    e.preventDefault();
    dropZone.classList.add('over');
  }));
  ['dragleave', 'drop'].forEach(type => dropZone.addEventListener(type, () => dropZone.classList.remove('over')));
  dropZone.addEventListener('drop', e => {
    e.preventDefault();
    const file = e.dataTransfer.files[0] || firstImage(e.dataTransfer.items);
    if (file) searchWithFile(file); else showError('Drop an image file.');
  });
  fileInput.addEventListener('change', () => searchWithFile(fileInput.files[0]));
  document.addEventListener('paste', e => {
    const file = firstImage(e.clipboardData && e.clipboardData.items);
    if (file) searchWithFile(file);
  });
  const rerun = () => {
    if (!lastQuery) return;
    if (lastQuery.file) searchWithFile(lastQuery.file, true); else searchWithId(lastQuery.id, lastQuery.fileName, lastQuery.width, lastQuery.height);
  };
  kInput.addEventListener('change', rerun);
  indexSelect.addEventListener('change', rerun);
  labelInput.addEventListener('change', rerun);
  prefixInput.addEventListener('change', rerun);
  similarityInput.addEventListener('input', showSimilarity);
  similarityInput.addEventListener('change', rerun);
  $('search-form').addEventListener('submit', e => { e.preventDefault(); rerun(); });
  loadCollection();
  watchIndexing();
  // For the other views: "find similar" on any image of the collection.
  window.lookalike = { searchWithId, loadCollection };
})();
