// The signed-in pages' tabs: approvals (what waits for a person), activity (what billops did alone), outcomes.
export type Tab = "approvals" | "activity" | "outcomes";

const TABS: [Tab, string, string][] = [
  ["approvals", "Approvals", "/inbox"],
  ["activity", "Activity", "/inbox/activity"],
  ["outcomes", "Outcomes", "/inbox/outcomes"],
];

export function Tabs({ current }: { current: Tab | null }) {
  return (
    <nav class="tabs" aria-label="billops pages">
      {TABS.map(([tab, label, href]) => (
        <a href={href} class={tab === current ? "current" : ""} {...(tab === current ? { "aria-current": "page" } : {})}>
          {label}
        </a>
      ))}
    </nav>
  );
}
