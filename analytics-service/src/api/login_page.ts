/** The 401 page a browser sees without a valid token: a one-field form that reloads with `?token=`. */
export function loginPage(why: 'missing' | 'invalid'): string {
  const note = why === 'invalid' ? '<p class="err">That token was not accepted.</p>' : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SignalRoom — sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px system-ui,sans-serif;background:#f4f6fb;color:#1c2333;display:grid;place-items:center;height:100vh;margin:0}
form{background:#fff;padding:28px 32px;border-radius:10px;box-shadow:0 2px 10px #0001;min-width:320px}
h1{font-size:18px;margin:0 0 12px}input{width:100%;box-sizing:border-box;padding:8px;margin:8px 0 14px;font:inherit}
button{padding:8px 16px;font:inherit;background:#3056d3;color:#fff;border:0;border-radius:6px;cursor:pointer}
.err{color:#b42318}.hint{color:#667085;font-size:13px}
</style></head>
<body><form method="get" action="/dashboard">
<h1>SignalRoom dashboard</h1>${note}
<label for="token">API token (<code>ANALYTICS_API_TOKEN</code>)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Open dashboard</button>
<p class="hint">The token is exchanged for a session cookie and removed from the address bar.</p>
</form></body></html>`;
}
