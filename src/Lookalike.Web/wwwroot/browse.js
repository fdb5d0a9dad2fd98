'use strict';
// The collection view (a paged grid with a label filter, "find similar" and, when the server allows changes, delete) and the
// duplicates view (groups at a threshold chosen with a slider), and switching between the three views by the URL's #hash.
(() => {
  const $ = id => document.getElementById(id);
  const { apiFetch, showImage } = window.lookalikeAccess;
  const pageSize = 60;
  let offset = 0, uploadsAllowed = false, duplicatesShown = null;

  function showView(name) {
    const view = ['search', 'collection', 'duplicates'].includes(name) ? name : 'search';
    document.querySelectorAll('[data-view-panel]').forEach(panel => { panel.hidden = panel.dataset.viewPanel !== view; });
    document.querySelectorAll('.views a').forEach(a => {
      if (a.dataset.view === view) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    });
    if (view === 'collection') loadPage();
    if (view === 'duplicates' && duplicatesShown !== $('dup-threshold').value) loadDuplicates();
  }

  function problem(element, body, response) {
    element.textContent = `${body.title || response.statusText}: ${body.detail || 'request failed'} (HTTP ${response.status})`;
    element.hidden = false;
  }

  function thumbnail(url, alt) {
    const img = document.createElement('img');
    showImage(img, url);
    img.loading = 'lazy';
    img.alt = alt;
    return img;
  }

  function findSimilar(id, fileName, width, height) {
    location.hash = '#search';
    window.lookalike.searchWithId(id, fileName, width, height);
  }

  async function loadPage() {
    const label = $('browse-label').value;
    const query = new URLSearchParams({ offset, limit: pageSize });
    if (label) query.set('label', label);
    $('browse-error').hidden = true;
    const response = await apiFetch(`/api/images?${query}`);
    const body = await response.json().catch(() => ({}));
    if (!response.ok) { problem($('browse-error'), body, response); return; }
    const select = $('browse-label');
    if (select.options.length === 1) {
      body.labels.forEach(l => select.add(new Option(`${l.label} (${l.count.toLocaleString()})`, l.label)));
    }
    const last = Math.min(body.offset + body.items.length, body.total);
    $('browse-page').textContent = body.total === 0 ? 'No images' : `${(body.offset + 1).toLocaleString()}–${last.toLocaleString()} of ${body.total.toLocaleString()}`;
    $('browse-prev').disabled = body.offset === 0;
    $('browse-next').disabled = last >= body.total;
    $('browse-grid').replaceChildren(...body.items.map(card));
  }

  function card(image) {
    const item = document.createElement('li');
    item.className = 'result-card browse-card';
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.innerHTML = '<span class="name"></span><br><span class="label"></span>';
    meta.querySelector('.name').textContent = image.fileName;
    meta.querySelector('.label').textContent = image.label ? `label: ${image.label}` : 'no label';
    const actions = document.createElement('div');
    actions.className = 'actions';
    const similar = document.createElement('button');
    similar.type = 'button';
    similar.className = 'find-similar';
    similar.textContent = 'Find similar';
    similar.setAttribute('aria-label', `Find images similar to ${image.fileName}`);
    similar.addEventListener('click', () => findSimilar(image.id, image.fileName, image.width, image.height));
    actions.append(similar);
    if (uploadsAllowed) {
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'delete';
      remove.textContent = 'Delete';
      remove.setAttribute('aria-label', `Delete ${image.fileName} from the collection`);
      remove.addEventListener('click', () => deleteImage(image));
      actions.append(remove);
    }
    item.append(thumbnail(image.thumbnailUrl, `${image.fileName}${image.label ? ' (' + image.label + ')' : ''}`), meta, actions);
    return item;
  }

  async function deleteImage(image) {
    if (!confirm(`Delete ${image.fileName} from the collection? (An indexed file stays on disk.)`)) return;
    const response = await apiFetch(`/api/images/${image.id}`, { method: 'DELETE' });
    if (!response.ok) { problem($('browse-error'), await response.json().catch(() => ({})), response); return; }
    window.lookalike.loadCollection();
    await loadPage();
  }

  async function loadDuplicates() {
    const threshold = $('dup-threshold').value;
    duplicatesShown = threshold;
    $('dup-error').hidden = true;
    $('dup-summary').textContent = `Looking for duplicates at similarity ≥ ${threshold}…`;
    const response = await apiFetch(`/api/duplicates?threshold=${threshold}`);
    const body = await response.json().catch(() => ({}));
    if (threshold !== $('dup-threshold').value) return; // the slider moved on
    if (!response.ok) { problem($('dup-error'), body, response); $('dup-summary').textContent = ''; return; }
    const exact = body.groups.filter(g => g.kind === 'exact').length;
    $('dup-summary').textContent = `${body.groups.length} group(s) among ${body.images.toLocaleString()} images at similarity ≥ ` +
      `${Number(threshold).toFixed(2)}: ${exact} of identical files, ` +
      `${body.groups.length - exact} of near-duplicates; ${body.redundant} file(s) besides the keepers (${body.seconds.toFixed(1)} s).`;
    $('dup-groups').replaceChildren(...body.groups.map((g, i) => group(g, i + 1)));
  }

  function group(g, number) {
    const section = document.createElement('section');
    section.className = 'dup-group';
    const heading = document.createElement('h3');
    heading.textContent = `Group ${number}: ${g.kind === 'exact' ? 'identical files' : 'near-duplicates'} (${g.members.length})`;
    const list = document.createElement('ul');
    list.className = 'results';
    g.members.forEach(m => {
      const item = document.createElement('li');
      item.className = `result-card dup-member${m.keeper ? ' keeper' : ''}`;
      const button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('aria-label', `${m.keeper ? 'Keep' : 'Copy'}: ${m.fileName}. Find similar images.`);
      const meta = document.createElement('div');
      meta.className = 'meta';
      // The folder too: identical files often share their name.
      const shortPath = m.path.split('/').slice(-2).join('/');
      meta.textContent = `${m.keeper ? 'keep' : 'similarity ' + m.similarity.toFixed(3)} · ${shortPath} · ${m.width}×${m.height} · ${m.bytes.toLocaleString()} bytes`;
      meta.title = m.path;
      button.append(thumbnail(m.thumbnailUrl, m.fileName), meta);
      button.addEventListener('click', () => findSimilar(m.id, m.fileName, m.width, m.height));
      item.append(button);
      list.append(item);
    });
    section.append(heading, list);
    return section;
  }

  $('browse-label').addEventListener('change', () => { offset = 0; loadPage(); });
  $('browse-prev').addEventListener('click', () => { offset = Math.max(0, offset - pageSize); loadPage(); });
  $('browse-next').addEventListener('click', () => { offset += pageSize; loadPage(); });
  $('dup-threshold').addEventListener('input', () => { $('dup-threshold-value').textContent = Number($('dup-threshold').value).toFixed(2); });
  $('dup-threshold').addEventListener('change', loadDuplicates);
  window.addEventListener('hashchange', () => showView(location.hash.slice(1)));
  apiFetch('/api/collection').then(r => r.json()).then(c => { uploadsAllowed = c.uploadsAllowed; }).catch(() => {})
    .finally(() => showView(location.hash.slice(1)));
})();
