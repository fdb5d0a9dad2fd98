'use strict';
// The API key the page sends (kept in this tab's session storage only), and the form that asks for one when the server
// answers 401 (no key, or one it does not accept) or 403 (a read key where a write key is needed).
(() => {
  const $ = id => document.getElementById(id);
  const stored = 'lookalike.apiKey';
  const key = () => sessionStorage.getItem(stored);

  async function askForKey(response) {
    const body = await response.clone().json().catch(() => ({}));
    const reason = response.status === 403
      ? 'This needs a key that may change the collection (scope write).'
      : key() ? `The server did not accept the key: ${body.detail || 'not valid'}` : 'This server needs an API key.';
    $('key-reason').textContent = `${reason} Ask its operator for one (lookalike keys create).`;
    $('key-form').hidden = false;
    $('key-input').focus();
  }

  // fetch() with the key, when there is one; a refused key opens the form.
  async function apiFetch(url, init = {}) {
    const headers = new Headers(init.headers || {});
    if (key()) headers.set('Authorization', `Bearer ${key()}`);
    const response = await fetch(url, { ...init, headers });
    if (response.status === 401 || response.status === 403) askForKey(response);
    return response;
  }

  // An <img> cannot send a header: with a key, the image is fetched and shown from a blob URL.
  function showImage(img, url) {
    if (!key()) { img.src = url; return; }
    apiFetch(url).then(r => (r.ok ? r.blob() : null)).then(blob => {
      if (!blob) return;
      const local = URL.createObjectURL(blob);
      img.addEventListener('load', () => URL.revokeObjectURL(local), { once: true });
      img.src = local;
    }).catch(() => {});
  }

  $('key-form').addEventListener('submit', e => {
    e.preventDefault();
    sessionStorage.setItem(stored, $('key-input').value.trim());
    location.reload();
  });
  $('key-forget').hidden = !key();
  $('key-forget').addEventListener('click', () => { sessionStorage.removeItem(stored); location.reload(); });
  window.lookalikeAccess = { apiFetch, showImage };
})();
