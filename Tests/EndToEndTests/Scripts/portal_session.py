"""What the portal scripts share: a headless Chromium session and the few steps every script takes with it (follow a
link or form to the next page, read text and tables that live regions may replace while they are read, fill a field,
sign in)."""
import time

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def start_browser():
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    return driver


def go(driver, element):
    """Clicks `element` and waits until the next page replaced this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()

    def gone(_):
        try:
            page.is_enabled()
            return False
        except WebDriverException:
            return True

    WebDriverWait(driver, 30).until(gone)


def press(driver, element_id, timeout=60):
    """Clicks the element with `element_id` and waits for the next page, finding it again when a live region replaced
    it between finding and clicking (the click of a stale element does nothing, so trying again is safe)."""
    deadline = time.time() + timeout
    while True:
        try:
            go(driver, driver.find_element(By.ID, element_id))
            return
        except (StaleElementReferenceException, NoSuchElementException):
            if time.time() > deadline:
                raise
        time.sleep(0.2)


def retrying(read):
    """Reads again when an element went away under us (a live region replaced its content)."""
    for _ in range(30):
        try:
            return read()
        except (StaleElementReferenceException, WebDriverException):
            time.sleep(0.1)
    return None


def text(driver, css):
    return retrying(lambda: (lambda found: found[0].text if found else None)(driver.find_elements(By.CSS_SELECTOR, css)))


def table(driver, css):
    return retrying(lambda: [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
                             for row in driver.find_elements(By.CSS_SELECTOR, css + " tbody tr")]) or []


def fill(element, value):
    element.clear()
    element.send_keys(value)


def sign_in(driver, base, user, password):
    driver.get(base + "/harbor/sign-in")
    fill(driver.find_element(By.ID, "principal"), user)
    fill(driver.find_element(By.ID, "password"), password)
    go(driver, driver.find_element(By.ID, "sign-in"))
