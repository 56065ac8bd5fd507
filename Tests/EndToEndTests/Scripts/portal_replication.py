"""Drives the portal's Registries and Replications screens and the proxy-cache choice of the New project dialog in
headless Chromium as an administrator would, and prints what they saw as JSON. Arguments: the server's base URL, the
admin password, the URL of a remote registry (CNCF distribution) and the repository to replicate (`project/name`)."""
import json
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import portal_session
from portal_session import retrying, start_browser

base, password, remote, repository = sys.argv[1:5]
project = repository.split("/", 1)[0]
driver = start_browser()
seen = {}


def go(element):
    portal_session.go(driver, element)


def text(css):
    return portal_session.text(driver, css)


def table(css):
    return portal_session.table(driver, css)


def fill(element_id, value):
    portal_session.fill(driver.find_element(By.ID, element_id), value)


def open_details(element_id):
    details = driver.find_element(By.ID, element_id)
    if details.get_attribute("open") is None:
        details.find_element(By.TAG_NAME, "summary").click()


def registry_form(name, url):
    open_details("new-registry")
    Select(driver.find_element(By.ID, "registry-type")).select_by_value("docker-registry")
    fill("registry-name", name)
    fill("registry-url", url)


try:
    portal_session.sign_in(driver, base, "admin", password)

    # Registries: a connection test that fails, one that works, then the endpoint saved and listed as healthy.
    driver.get(base + "/harbor/registries")
    seen["registries_empty"] = text("#empty")
    registry_form("nowhere", "http://127.0.0.1:9")
    go(driver.find_element(By.ID, "test-registry"))
    seen["test_failed"] = text("#test-result")
    seen["test_failed_class"] = driver.find_element(By.ID, "test-result").get_attribute("class")
    registry_form("dist", remote)
    go(driver.find_element(By.ID, "test-registry"))
    seen["test_passed"] = text("#test-result")
    seen["form_kept_url"] = driver.find_element(By.ID, "registry-url").get_attribute("value")
    go(driver.find_element(By.ID, "create-registry"))
    seen["registries_path"] = driver.current_url.replace(base, "")
    seen["registry_rows"] = table("#registries")

    # Replications: a push rule with a name filter and a bandwidth cap; a rule without a name is refused with the
    # form kept; then the rule runs from its button and its execution page follows the progress by itself.
    driver.get(base + "/harbor/replications")
    seen["rules_empty"] = text("#no-rules")
    open_details("new-rule")
    fill("rule-name", "to-dist")
    Select(driver.find_element(By.ID, "rule-mode")).select_by_value("push")
    Select(driver.find_element(By.ID, "rule-registry")).select_by_visible_text(f"dist ({remote})")
    fill("rule-filter-name", project + "/**")
    fill("rule-namespace", "mirror")
    Select(driver.find_element(By.ID, "rule-flattening")).select_by_value("1")
    fill("rule-cron", "")
    Select(driver.find_element(By.ID, "rule-trigger")).select_by_value("scheduled")
    go(driver.find_element(By.ID, "create-rule"))
    seen["bad_rule_problem"] = text("#problem")
    seen["bad_rule_kept_name"] = driver.find_element(By.ID, "rule-name").get_attribute("value")
    Select(driver.find_element(By.ID, "rule-trigger")).select_by_value("manual")
    fill("rule-speed", "4096")
    go(driver.find_element(By.ID, "create-rule"))
    seen["rule_rows"] = table("#rules")
    rule_id = driver.find_element(By.CSS_SELECTOR, "#rules tbody tr").get_attribute("id").split("-", 1)[1]
    go(driver.find_element(By.ID, "replicate-" + rule_id))
    seen["execution_path"] = driver.current_url.replace(base, "")
    seen["status_first"] = text("#execution-status")
    partial = []
    deadline = time.time() + 180
    while time.time() < deadline:
        status = text("#execution-status") or ""
        values = retrying(lambda: [(bar.get_attribute("value"), bar.get_attribute("max"))
                                   for bar in driver.find_elements(By.CSS_SELECTOR, "#execution-facts ~ .progress progress")]) or []
        for value, maximum in values[1:2]:
            if value and maximum and 0 < float(value) < float(maximum) > 1:
                partial.append(text("#execution-region .bytes-text"))
        if status and status != "InProgress":
            break
        time.sleep(0.5)
    seen["status_last"] = text("#execution-status")
    seen["partial_bytes_seen"] = partial[:3]
    seen["tasks_text"] = text("#execution-region .tasks-text")
    seen["bytes_text"] = text("#execution-region .bytes-text")
    seen["task_rows"] = table("#tasks")
    seen["stop_offered_after"] = len(driver.find_elements(By.ID, "stop-execution"))
    first_task = driver.find_element(By.CSS_SELECTOR, "#tasks tbody tr")
    first_task.find_element(By.TAG_NAME, "summary").click()
    seen["task_log"] = first_task.find_element(By.TAG_NAME, "pre").text
    driver.get(base + "/harbor/replications")
    seen["execution_rows"] = table("#executions")

    # A proxy-cache project from the New project dialog; its summary says what it caches.
    driver.get(base + "/harbor/projects")
    open_details("new-project")
    fill("project_name", "dist-cache")
    driver.find_element(By.ID, "project_proxy").click()
    Select(driver.find_element(By.ID, "project_registry")).select_by_visible_text(f"dist ({remote})")
    go(driver.find_element(By.ID, "create-project"))
    seen["proxy_project_path"] = driver.current_url.replace(base, "")
    driver.get(base + "/harbor/projects/dist-cache/summary")
    seen["proxy_summary"] = text("main")

    # A registry in use cannot be deleted: the page says why.
    driver.get(base + "/harbor/registries")
    row = driver.find_element(By.CSS_SELECTOR, "#registries tbody tr")
    row.find_element(By.CSS_SELECTOR, "details.confirm summary").click()
    go(row.find_element(By.CSS_SELECTOR, "details.confirm button"))
    seen["delete_problem"] = text("#problem")
    seen["console"] = [entry["message"] for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"
                       and "favicon.ico" not in entry["message"] and "status of 400" not in entry["message"]
                       and "status of 412" not in entry["message"]]
finally:
    driver.quit()
print(json.dumps(seen))
