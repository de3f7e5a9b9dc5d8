// Signs in to the web inbox as a browser does: the sign-in page's CSRF cookie and field, a same-origin post.
// Returns the Cookie header that carries the session.
export async function inboxSignIn(base: string, token: string): Promise<string> {
  const page = await fetch(`${base}/inbox`);
  const csrf = (await page.text()).match(/name="csrf" value="([^"]+)"/)?.[1];
  const signInCookie = page.headers.getSetCookie().map((c) => c.split(";")[0]!).join("; ");
  if (!csrf || !signInCookie) throw new Error("the sign-in page carries no CSRF token");
  const res = await fetch(`${base}/inbox/login`, {
    method: "POST",
    body: new URLSearchParams({ token, csrf }),
    headers: { cookie: signInCookie, origin: new URL(base).origin },
    redirect: "manual",
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith("billops_inbox="));
  if (res.status !== 303 || !session) throw new Error(`sign-in answered ${res.status}`);
  return session.split(";")[0]!;
}
