/** Escapes text for HTML. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The dashboard's login form: the API key is posted once and traded for a session cookie. No script. */
export function loginPage(message: string | null): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Export queues: sign in</title>
<style>body{font-family:system-ui,sans-serif;background:#f4f5f7;display:flex;justify-content:center;padding-top:12vh}
form{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002;width:24rem}
input{width:100%;padding:.5rem;margin:.5rem 0 1rem;box-sizing:border-box;font-family:monospace}
button{padding:.5rem 1.5rem}.error{color:#b00020}</style></head>
<body><form method="post" action="/admin/login">
<h1>Export queues</h1>
<p>Sign in with an <b>admin</b> key (full control) or a <b>viewer</b> key (read only).</p>
${message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ''}
<label for="api_key">API key</label>
<input id="api_key" name="api_key" type="password" autocomplete="off" required autofocus>
<button type="submit">Sign in</button>
</form></body></html>`;
}
