"""Drives Administration → Clean up in headless Chromium as an administrator would, and prints what it saw as JSON.
Arguments: the server's base URL, the admin password, and a step:
  runs     a dry run then a real run with untagged artifacts allowed, each followed until it ends, the real run's log,
           a refused cron, then a schedule saved
  waiting  a run started while another collection holds the lock: its live row shows it waiting, Stop stops it
"""
import json
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from portal_session import fill, go, press, retrying, sign_in, start_browser, text

base, password, step = sys.argv[1:4]
driver = start_browser()
seen = {}


def newest_run_id():
    def read():
        rows = driver.find_elements(By.CSS_SELECTOR, "#gc-runs tbody tr")
        return rows[0].get_attribute("id").split("-")[-1] if rows else None
    return retrying(read)


def wait_for_status(run_id, wanted, seconds=60):
    """Waits, without reloading (the history refreshes itself while a run goes on), until the run shows `wanted`."""
    deadline = time.time() + seconds
    status = None
    while time.time() < deadline:
        status = text(driver, f"#gc-run-{run_id}-status")
        if status in wanted:
            return status
        time.sleep(0.2)
    return status


def start(button_id, untagged):
    driver.get(base + "/harbor/gc")
    box = driver.find_element(By.ID, "gc-untagged")
    if box.is_selected() != untagged:
        box.click()
    go(driver, driver.find_element(By.ID, button_id))
    return newest_run_id()


try:
    sign_in(driver, base, "admin", password)
    if step == "runs":
        driver.get(base + "/harbor/gc")
        seen["empty"] = text(driver, "#gc-empty")
        dry = start("gc-dry-run", True)
        seen["dry_status"] = wait_for_status(dry, ("Success", "Error", "Stopped"))
        seen["dry_details"] = text(driver, f"#gc-run-{dry}-details")
        seen["dry_row"] = retrying(lambda: [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, f"#gc-run-{dry} td")][:5])
        real = start("gc-now", True)
        seen["real_status"] = wait_for_status(real, ("Success", "Error", "Stopped"))
        seen["real_details"] = text(driver, f"#gc-run-{real}-details")
        seen["real_dry"] = retrying(lambda: driver.find_elements(By.CSS_SELECTOR, f"#gc-run-{real} td")[2].text)
        seen["log_href"] = retrying(lambda: driver.find_element(By.ID, f"gc-run-{real}-log").get_attribute("href"))
        driver.get(seen["log_href"])
        seen["log"] = driver.find_element(By.TAG_NAME, "body").text

        driver.get(base + "/harbor/gc")
        Select(driver.find_element(By.ID, "gc-schedule-type")).select_by_value("Custom")
        fill(driver.find_element(By.ID, "gc-schedule-cron"), "whenever")
        go(driver, driver.find_element(By.ID, "gc-save-schedule"))
        seen["cron_problem"] = text(driver, "#problem")
        Select(driver.find_element(By.ID, "gc-schedule-type")).select_by_value("Custom")
        fill(driver.find_element(By.ID, "gc-schedule-cron"), "0 0 4 * * *")
        Select(driver.find_element(By.ID, "gc-schedule-workers")).select_by_value("3")
        box = driver.find_element(By.ID, "gc-schedule-untagged")
        if not box.is_selected():
            box.click()
        go(driver, driver.find_element(By.ID, "gc-save-schedule"))
        seen["schedule"] = [Select(driver.find_element(By.ID, "gc-schedule-type")).first_selected_option.text,
                            driver.find_element(By.ID, "gc-schedule-cron").get_attribute("value"),
                            Select(driver.find_element(By.ID, "gc-schedule-workers")).first_selected_option.text,
                            driver.find_element(By.ID, "gc-schedule-untagged").is_selected(),
                            text(driver, "#gc-next-run")]
    else:
        waiting = start("gc-now", False)
        deadline = time.time() + 90
        while time.time() < deadline and "waiting for garbage collection" not in (text(driver, f"#gc-run-{waiting}-details") or ""):
            time.sleep(0.2)
        seen["waiting_details"] = text(driver, f"#gc-run-{waiting}-details")
        seen["waiting_status"] = text(driver, f"#gc-run-{waiting}-status")
        # The live region may be replacing the row right now: press finds the Stop button again until the click lands.
        press(driver, f"gc-run-{waiting}-stop")
        seen["stopped_status"] = wait_for_status(waiting, ("Stopped",), 30)
        seen["stop_button_left"] = len(driver.find_elements(By.ID, f"gc-run-{waiting}-stop"))
finally:
    driver.quit()
print(json.dumps(seen))
