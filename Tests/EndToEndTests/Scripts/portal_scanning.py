"""Drives the portal's scanning screens in headless Chromium as a security engineer would, and prints what they saw as
JSON. Arguments: the server's base URL, the admin password, the repository path and digest of a pushed image, and the
password of the user dev1 (a developer of the image's project)."""
import json
import sys
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from portal_session import go as go_with, sign_in as sign_in_with, start_browser, table as table_with, text as text_with

base, password, repository, digest, user_password, bundle = sys.argv[1:7]
project, name = repository.split("/", 1)

driver = start_browser()
seen = {}


def go(element):
    go_with(driver, element)


def text(css):
    return text_with(driver, css)


def table(css):
    return table_with(driver, css)


def sign_in(user, secret):
    sign_in_with(driver, base, user, secret)


def sign_out():
    driver.delete_all_cookies()


artifact = f"{base}/harbor/projects/{project}/repositories/{name}/artifacts-tab/artifacts/{digest}"
try:
    # A developer sees the (empty) report but no Scan button, and the configuration read-only.
    sign_in("dev1", user_password)
    driver.get(artifact)
    seen["developer_status"] = text("#scan-status")
    seen["developer_scan_button"] = len(driver.find_elements(By.ID, "scan-button"))
    driver.get(f"{base}/harbor/projects/{project}/configs")
    seen["developer_scanning_form"] = len(driver.find_elements(By.ID, "save-scanning"))
    seen["developer_scanning_facts"] = text("#scanning-facts")
    sign_out()

    sign_in("admin", password)
    # The project's configuration: scan on push, prevent vulnerable pulls from Medium up, an allowlist.
    driver.get(f"{base}/harbor/projects/{project}/configs")
    driver.find_element(By.ID, "config-auto-scan").click()
    driver.find_element(By.ID, "config-prevent-vul").click()
    Select(driver.find_element(By.ID, "config-severity")).select_by_value("medium")
    driver.find_element(By.ID, "config-allowlist").send_keys("CVE-2099-0001\nCVE-2099-0002")
    driver.find_element(By.ID, "config-allowlist-expires").send_keys("12312099")
    go(driver.find_element(By.ID, "save-scanning"))
    seen["config_saved"] = text("#saved")
    seen["config_auto_scan"] = driver.find_element(By.ID, "config-auto-scan").is_selected()
    seen["config_prevent"] = driver.find_element(By.ID, "config-prevent-vul").is_selected()
    seen["config_severity"] = Select(driver.find_element(By.ID, "config-severity")).first_selected_option.get_attribute("value")
    seen["config_allowlist"] = driver.find_element(By.ID, "config-allowlist").get_attribute("value")
    seen["config_expires"] = driver.find_element(By.ID, "config-allowlist-expires").get_attribute("value")

    # The artifact page: not scanned, then a scan from the button, followed by reloading.
    driver.get(artifact)
    seen["status_before"] = text("#scan-status")
    go(driver.find_element(By.ID, "scan-button"))
    seen["status_running"] = text("#scan-status")
    # The section follows the scan by itself (the portal script fetches it again while it is marked live).
    deadline = time.time() + 90
    while time.time() < deadline:
        status = text("#scan-status") or ""
        if "vulnerabilit" in status and "Scanning" not in status:
            break
        time.sleep(1)
    seen["live_updated"] = "vulnerabilit" in (text("#scan-status") or "")
    driver.get(artifact)
    seen["status_after"] = text("#scan-status")
    seen["counts"] = text("#scan-counts")
    seen["bar_segments"] = [rect.get_attribute("class") for rect in driver.find_elements(By.CSS_SELECTOR, "#vulnerabilities svg.severity-bar rect")]
    seen["scanned_by"] = text("#scanned-by")
    seen["rows"] = table("#vulnerability-table")
    seen["first_link"] = driver.find_elements(By.CSS_SELECTOR, "#vulnerability-table tbody a")[0].get_attribute("href") if seen["rows"] else None
    # Filter to Medium, then sort by package.
    Select(driver.find_element(By.ID, "filter-severity")).select_by_value("Medium")
    go(driver.find_element(By.ID, "apply-filter"))
    seen["medium_rows"] = table("#vulnerability-table")
    go(driver.find_element(By.ID, "sort-package"))
    seen["sorted_rows"] = table("#vulnerability-table")
    seen["sort_url"] = driver.current_url
    driver.find_element(By.ID, "filter-package").clear()
    driver.find_element(By.ID, "filter-package").send_keys("no-such-package")
    go(driver.find_element(By.ID, "apply-filter"))
    seen["no_match"] = text("#no-match")
    # The scan log opens.
    driver.get(artifact)
    go(driver.find_element(By.ID, "scan-log"))
    seen["log"] = driver.find_element(By.TAG_NAME, "body").text[:4000]
    # An SBOM from its button.
    driver.get(artifact)
    go(driver.find_element(By.ID, "sbom-button"))
    deadline = time.time() + 60
    while time.time() < deadline and not driver.find_elements(By.ID, "sbom-link"):
        time.sleep(1)
    seen["sbom_status"] = text("#sbom-status")
    if driver.find_elements(By.ID, "sbom-link"):
        go(driver.find_element(By.ID, "sbom-link"))
        seen["sbom_page"] = text("h1")

    # The repository's artifact list shows the scan and its bar.
    driver.get(f"{base}/harbor/projects/{project}/repositories/{name}")
    seen["list_cells"] = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#artifacts td.scan-cell")]
    seen["list_bars"] = len(driver.find_elements(By.CSS_SELECTOR, "#artifacts td.scan-cell svg.severity-bar"))

    # Administration: interrogation services.
    driver.get(base + "/harbor/interrogation-services")
    seen["scanners"] = table("#scanner-table")
    seen["sources"] = table("#source-table")
    # Uploading an advisory bundle from the page (the script sends it to the import API).
    driver.find_element(By.ID, "advisory-source").send_keys("portal-upload")
    driver.find_element(By.ID, "advisory-file").send_keys(bundle)
    driver.find_element(By.ID, "advisory-upload-button").click()
    # The page reloads itself after a successful import: elements may go stale while they are read.
    patient = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))
    seen["upload_status"] = patient.until(lambda _: next((status for status in [text("#advisory-upload-status") or ""]
                                                          if "Imported" in status or "fail" in status), None))
    patient.until(lambda _: any(row and row[0] == "portal-upload" for row in table("#source-table")))
    seen["sources_after_upload"] = table("#source-table")
    go(driver.find_element(By.ID, "scan-all-now"))
    seen["scan_all_saved"] = text("#saved")
    deadline = time.time() + 60
    while time.time() < deadline and ("running" in (text("#scan-all-progress") or "") or "scans ended" not in (text("#scan-all-progress") or "")):
        time.sleep(1)
        driver.get(base + "/harbor/interrogation-services")
    seen["scan_all_progress"] = text("#scan-all-progress")
    Select(driver.find_element(By.ID, "schedule-type")).select_by_value("Daily")
    go(driver.find_element(By.ID, "save-schedule"))
    seen["schedule_type"] = Select(driver.find_element(By.ID, "schedule-type")).first_selected_option.get_attribute("value")
    seen["next_run"] = text("#next-run")
    driver.find_element(By.CSS_SELECTOR, "#register-scanner summary").click()
    driver.find_element(By.ID, "scanner-name").send_keys("nowhere")
    driver.find_element(By.ID, "scanner-url").send_keys("not a url")
    go(driver.find_element(By.ID, "register-scanner-button"))
    seen["register_problem"] = text("#problem")

    # The security hub: figures, the chart, the list.
    driver.get(base + "/harbor/security-hub")
    seen["hub_total"] = text("#hub-total")
    seen["hub_chart_bars"] = [rect.find_element(By.TAG_NAME, "title").get_attribute("textContent")
                              for rect in driver.find_elements(By.CSS_SELECTOR, "#severity-chart rect")]
    seen["hub_rows"] = table("#hub-table")
    driver.find_element(By.ID, "hub-cve").send_keys("CVE-2024-0727")
    go(driver.find_element(By.ID, "hub-filter"))
    seen["hub_filtered"] = table("#hub-table")
    # Errors a page caused (a blocked inline style or script, a failed asset); the browser's own favicon probe is not
    # one, nor the 400 the deliberately bad scanner registration above answered with.
    seen["console"] = [entry["message"] for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"
                       and "favicon.ico" not in entry["message"] and "status of 400" not in entry["message"]]
finally:
    driver.quit()
print(json.dumps(seen))
