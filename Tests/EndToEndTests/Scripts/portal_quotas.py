"""Drives Administration → Project quotas and a project's Summary in headless Chromium as an administrator would, and
prints what they saw as JSON. Arguments: the server's base URL, the admin password and the project to look at."""
import json
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from portal_session import fill, go, sign_in, start_browser

base, password, project = sys.argv[1:4]
driver = start_browser()
seen = {}


def row():
    for candidate in driver.find_elements(By.CSS_SELECTOR, "#quotas tbody tr"):
        if candidate.find_element(By.TAG_NAME, "td").text == project:
            return candidate
    return None


try:
    sign_in(driver, base, "admin", password)

    driver.get(base + "/harbor/project-quotas")
    found = row()
    seen["before"] = found.find_elements(By.TAG_NAME, "td")[1].text
    seen["bar"] = [found.find_element(By.TAG_NAME, "progress").get_attribute(name) for name in ("value", "max")]
    quota_id = found.get_attribute("id").split("-", 1)[1]
    seen["amount_before"] = driver.find_element(By.ID, f"quota-{quota_id}-amount").get_attribute("value")
    seen["unit_before"] = Select(driver.find_element(By.ID, f"quota-{quota_id}-unit")).first_selected_option.text

    # A limit that is not a number is refused in words; a new one is saved and shown.
    fill(driver.find_element(By.ID, f"quota-{quota_id}-amount"), "lots")
    go(driver, driver.find_element(By.ID, f"quota-{quota_id}-save"))
    seen["bad_problem"] = driver.find_element(By.ID, "problem").text
    fill(driver.find_element(By.ID, f"quota-{quota_id}-amount"), "1.5")
    Select(driver.find_element(By.ID, f"quota-{quota_id}-unit")).select_by_value("GiB")
    go(driver, driver.find_element(By.ID, f"quota-{quota_id}-save"))
    seen["after"] = row().find_elements(By.TAG_NAME, "td")[1].text
    seen["amount_after"] = driver.find_element(By.ID, f"quota-{quota_id}-amount").get_attribute("value")

    driver.get(f"{base}/harbor/projects/{project}/summary")
    seen["summary_quota"] = driver.find_element(By.ID, "summary-quota-text").text
    seen["summary_bar"] = len(driver.find_elements(By.CSS_SELECTOR, "#summary-quota progress"))
finally:
    driver.quit()
print(json.dumps(seen))
