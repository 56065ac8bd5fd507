/// The portal's only script: progressive enhancement, so every page works without it. It shows the copy buttons
/// (hidden in the HTML, since they do nothing without script) and puts a button's `data-copy` text on the clipboard;
/// where the clipboard is not available it selects the text so that Ctrl+C copies it. A region marked `data-live="N"`
/// (the job queue while work waits or runs) is fetched again every N seconds while the tab is visible and replaced
/// by the same region of the fresh page, until the server stops marking it live.
enum PortalScript {
    static let text = #"""
        "use strict";
        const showCopyButtons = () => document.querySelectorAll("button[data-copy]").forEach((button) => { button.hidden = false; });
        showCopyButtons();
        document.querySelectorAll("[data-live]").forEach((region) => {
          const id = region.id;
          const seconds = Math.max(2, Number(region.dataset.live) || 5);
          const timer = setInterval(async () => {
            if (document.hidden) return;
            const current = document.getElementById(id);
            if (!current || current.contains(document.activeElement) && document.activeElement !== document.body) return;
            try {
              const answer = await fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } });
              if (!answer.ok) return;
              const fresh = new DOMParser().parseFromString(await answer.text(), "text/html").getElementById(id);
              if (!fresh) return;
              current.replaceWith(document.importNode(fresh, true));
              showCopyButtons();
              if (!fresh.hasAttribute("data-live")) clearInterval(timer);
            } catch (problem) { /* the next tick tries again */ }
          }, seconds * 1000);
        });
        document.addEventListener("click", async (event) => {
          const button = event.target.closest("button[data-copy]");
          if (!button) return;
          const label = button.dataset.label || button.textContent;
          button.dataset.label = label;
          try {
            await navigator.clipboard.writeText(button.dataset.copy);
            button.textContent = "Copied";
          } catch (problem) {
            const target = document.getElementById(button.dataset.target || "");
            if (target) {
              const range = document.createRange();
              range.selectNodeContents(target);
              const selection = window.getSelection();
              selection.removeAllRanges();
              selection.addRange(range);
            }
            button.textContent = "Press Ctrl+C";
          }
          setTimeout(() => { button.textContent = label; }, 2000);
        });
        """#
}
