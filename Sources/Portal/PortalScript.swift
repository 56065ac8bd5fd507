/// The portal's only script: progressive enhancement, so every page works without it. It shows the copy buttons
/// (hidden in the HTML, since they do nothing without script) and puts a button's `data-copy` text on the clipboard;
/// where the clipboard is not available it selects the text so that Ctrl+C copies it.
enum PortalScript {
    static let text = #"""
        "use strict";
        document.querySelectorAll("button[data-copy]").forEach((button) => { button.hidden = false; });
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
