"""Drives the portal in headless Chromium (Selenium + chromedriver) as a person would, and prints what they saw as
JSON. Arguments: the server's base URL, the admin password, a directory for screenshots."""
import json
import sys
from urllib.parse import urlparse

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

base, password, shots = sys.argv[1], sys.argv[2], sys.argv[3]

options = Options()
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,860"):
    options.add_argument(argument)
options.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(60)
findings = {}


def path():
    parsed = urlparse(driver.current_url)
    return parsed.path + (("?" + parsed.query) if parsed.query else "")


def text(css):
    found = driver.find_elements(By.CSS_SELECTOR, css)
    return found[0].text if found else None


def table(css):
    return [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")] for row in driver.find_elements(By.CSS_SELECTOR, css + " tbody tr")]


def shot(name):
    driver.save_screenshot(f"{shots}/{name}.png")


def sign_in(user, secret):
    driver.get(base + "/harbor/sign-in")
    driver.find_element(By.ID, "principal").clear()
    driver.find_element(By.ID, "principal").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(secret)
    driver.find_element(By.ID, "sign-in").click()


try:
    # Anonymous: the root leads to the projects list, which shows public projects only.
    driver.get(base + "/")
    findings["anonymous_path"] = path()
    findings["anonymous_rows"] = table("#projects")
    findings["anonymous_sign_in_link"] = text("#sign-in-link")
    # A private project's page sends an anonymous visitor to sign in first, and back afterwards.
    driver.get(base + "/harbor/projects/secret/repositories")
    findings["private_redirect"] = path()

    driver.get(base + "/harbor/sign-in")
    shot("sign-in")
    sign_in("admin", "not-the-password")
    findings["wrong_password_problem"] = text("#problem")
    findings["wrong_password_path"] = path()

    sign_in("admin", password)
    findings["signed_in_path"] = path()
    findings["current_user"] = text("#current-user")

    # New project through the form; it opens the project's (empty) repositories page.
    driver.get(base + "/harbor/projects")
    driver.find_element(By.CSS_SELECTOR, "#new-project summary").click()
    driver.find_element(By.ID, "project_name").send_keys("team")
    driver.find_element(By.ID, "create-project").click()
    findings["created_path"] = path()
    findings["empty_state"] = text("#empty")
    shot("project-empty")

    # The same name again: the service refuses it and the form says why.
    driver.get(base + "/harbor/projects")
    driver.find_element(By.CSS_SELECTOR, "#new-project summary").click()
    driver.find_element(By.ID, "project_name").send_keys("team")
    driver.find_element(By.ID, "create-project").click()
    findings["duplicate_problem"] = text("#problem")

    driver.get(base + "/harbor/projects")
    findings["admin_rows"] = table("#projects")
    shot("projects")
    driver.get(base + "/harbor/projects?name=tea")
    findings["filtered_rows"] = table("#projects")

    driver.get(base + "/harbor/projects/app-images/repositories")
    findings["repository_rows"] = table("#repositories")
    shot("repositories")

    driver.set_window_size(390, 844)
    driver.get(base + "/harbor/projects")
    findings["phone_page_width"] = driver.execute_script("return document.documentElement.scrollWidth")
    shot("projects-phone")
    driver.set_window_size(1280, 860)

    driver.find_element(By.ID, "sign-out").click()
    findings["signed_out_path"] = path()
    driver.get(base + "/harbor/projects/team/repositories")
    findings["after_sign_out"] = path()
finally:
    driver.quit()

print(json.dumps(findings))
