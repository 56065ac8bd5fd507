"""Drives the portal in headless Chromium (Selenium + chromedriver) as a person would, and prints what they saw as
JSON. Arguments: the server's base URL, the admin password, a directory for screenshots, the password of the users
dev1 and guest1 (who exist but belong to no project yet)."""
import json
import sys
import time
from urllib.parse import urlparse

from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from portal_session import go as go_with, sign_in as sign_in_with, start_browser, table as table_with, text as text_with

base, password, shots, user_password = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
DESCRIPTION = "<script>window.__pwned = 1</script> Web front end\nSecond line & <b>more</b>"

driver = start_browser()
# Let the copy buttons use the clipboard, as a person's browser asks them once.
driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": base, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
findings = {}


def path():
    parsed = urlparse(driver.current_url)
    return parsed.path + (("?" + parsed.query) if parsed.query else "")


def text(css):
    return text_with(driver, css)


def table(css):
    return table_with(driver, css)


def go(element):
    """Clicks something that loads a new page, and waits until it has."""
    go_with(driver, element)


def first_column(css):
    return [row[0] for row in table(css) if row]


def facts(css):
    terms = driver.find_elements(By.CSS_SELECTOR, css + " dt")
    values = driver.find_elements(By.CSS_SELECTOR, css + " dd")
    return {term.text: value.text for term, value in zip(terms, values)}


def present(css):
    return len(driver.find_elements(By.CSS_SELECTOR, css)) > 0


def row_with(css, first):
    for row in driver.find_elements(By.CSS_SELECTOR, css + " tbody tr"):
        cells = row.find_elements(By.TAG_NAME, "td")
        if cells and cells[0].text == first:
            return row
    raise AssertionError(f"no row {first} in {css}")


def add_member(name, role):
    driver.find_element(By.CSS_SELECTOR, "#new-member summary").click()
    driver.find_element(By.ID, "member-name").send_keys(name)
    Select(driver.find_element(By.ID, "member-role")).select_by_visible_text(role)
    go(driver.find_element(By.ID, "add-member"))


def shot(name):
    driver.save_screenshot(f"{shots}/{name}.png")


def sign_in(user, secret):
    sign_in_with(driver, base, user, secret)


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
    go(driver.find_element(By.ID, "create-project"))
    findings["created_path"] = path()
    findings["empty_state"] = text("#empty")
    shot("project-empty")

    # The same name again: the service refuses it and the form says why.
    driver.get(base + "/harbor/projects")
    driver.find_element(By.CSS_SELECTOR, "#new-project summary").click()
    driver.find_element(By.ID, "project_name").send_keys("team")
    go(driver.find_element(By.ID, "create-project"))
    findings["duplicate_problem"] = text("#problem")

    driver.get(base + "/harbor/projects")
    findings["admin_rows"] = table("#projects")
    shot("projects")
    driver.get(base + "/harbor/projects?name=tea")
    findings["filtered_rows"] = table("#projects")

    driver.get(base + "/harbor/projects/app-images/summary")
    findings["summary_facts"] = facts("#summary-facts")
    findings["summary_bars"] = len(driver.find_elements(By.CSS_SELECTOR, "#pushes-chart rect.bar"))
    findings["summary_chart_width"] = driver.find_element(By.CSS_SELECTOR, "#pushes-chart svg").size["width"]
    shot("summary")
    driver.get(base + "/harbor/projects/app-images/repositories")
    findings["repository_rows"] = table("#repositories")
    shot("repositories")

    # A repository's page: pull command, artifacts, and its description edited with markup that must stay text.
    go(driver.find_element(By.LINK_TEXT, "app-images/web"))
    findings["repository_path"] = path()
    findings["pull_command"] = text("#pull-command")
    findings["docker_pull_command"] = text("#pull-command-docker")
    findings["copy_pull_shown"] = driver.find_element(By.ID, "copy-pull-command").is_displayed()
    findings["artifact_rows"] = table("#artifacts")
    driver.find_element(By.CSS_SELECTOR, "#edit-description summary").click()
    area = driver.find_element(By.ID, "description-text")
    area.clear()
    area.send_keys(DESCRIPTION)
    go(driver.find_element(By.ID, "save-description"))
    findings["description_path"] = path()
    findings["description"] = text("#description")
    findings["script_ran"] = driver.execute_script("return window.__pwned !== undefined")
    findings["admin_delete_repository"] = present("#delete-repository")
    shot("repository")

    # An artifact: facts, tags, build history; a tag added and removed through the forms.
    go(driver.find_element(By.CSS_SELECTOR, "#artifacts tbody tr a"))
    findings["artifact_path"] = path()
    findings["artifact_facts"] = facts("#facts")
    findings["pull_by_digest"] = text("#pull-by-digest")
    findings["admin_delete_artifact"] = present("#delete-artifact")
    findings["tag_rows"] = table("#tags")
    findings["history"] = [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#history li")]
    findings["run_config"] = [[term.text, value.text] for term, value in zip(driver.find_elements(By.CSS_SELECTOR, "#run-config dt"),
                                                                           driver.find_elements(By.CSS_SELECTOR, "#run-config dd"))]
    findings["layer_rows"] = table("#layers")
    driver.find_element(By.ID, "new-tag").send_keys("stable")
    go(driver.find_element(By.ID, "add-tag-button"))
    findings["tags_after_add"] = first_column("#tags")
    shot("artifact")
    row = row_with("#tags", "stable")
    row.find_element(By.CSS_SELECTOR, "details.confirm summary").click()
    go(row.find_element(By.CSS_SELECTOR, "button.danger"))
    findings["tags_after_delete"] = first_column("#tags")

    # A new user for the team, made in Administration > Users (guest1 comes from the API).
    driver.get(base + "/harbor/users")
    driver.find_element(By.CSS_SELECTOR, "#new-user summary").click()
    driver.find_element(By.ID, "user-name").send_keys("dev1")
    driver.find_element(By.ID, "user-password").send_keys(user_password)
    driver.find_element(By.ID, "user-confirm").send_keys(user_password)
    go(driver.find_element(By.ID, "create-user"))
    findings["dev1_created_path"] = path()

    # Members: add dev1 as developer and guest1 as developer, then make guest1 a guest; an unknown user is refused.
    driver.get(base + "/harbor/projects/app-images/repositories")
    go(driver.find_element(By.LINK_TEXT, "Members"))
    findings["members_path"] = path()
    add_member("dev1", "Developer")
    add_member("guest1", "Developer")
    row = row_with("#members", "guest1")
    Select(row.find_element(By.TAG_NAME, "select")).select_by_visible_text("Guest")
    go(row.find_element(By.CSS_SELECTOR, "button[id^=change-role]"))
    findings["member_rows"] = [cells[:3] for cells in table("#members")]
    add_member("nobody-here", "Guest")
    findings["unknown_member_problem"] = text("#problem")
    shot("members")

    # A robot account for a pipeline: the secret is shown once, on the answer to the form, and never again.
    go(driver.find_element(By.LINK_TEXT, "Robot accounts"))
    findings["robots_path"] = path()
    driver.find_element(By.CSS_SELECTOR, "#new-robot summary").click()
    driver.find_element(By.ID, "robot-name").send_keys("ci")
    driver.find_element(By.ID, "robot-description").send_keys("pipeline pushes")
    go(driver.find_element(By.ID, "create-robot"))
    findings["robot_name"] = text("#robot-name-created")
    findings["robot_secret"] = text("#robot-secret")
    button = driver.find_element(By.ID, "copy-robot-secret")
    findings["copy_secret_shown"] = button.is_displayed()
    button.click()
    WebDriverWait(driver, 5).until(lambda _: button.text in ("Copied", "Press Ctrl+C"))
    findings["copy_secret_text"] = button.text
    findings["clipboard"] = driver.execute_async_script("const done = arguments[arguments.length - 1]; navigator.clipboard.readText().then(done, () => done(null));")
    findings["selection"] = driver.execute_script("return window.getSelection().toString()")
    shot("robot-created")
    go(driver.find_element(By.ID, "robots-back"))
    findings["robot_rows"] = table("#robots")
    findings["secret_shown_again"] = findings["robot_secret"] in driver.page_source
    go(driver.find_element(By.LINK_TEXT, "Logs"))
    findings["log_rows"] = table("#logs")
    shot("logs")

    # A webhook for the project: the policy page it lands on shows the settings and, later, the executions.
    go(driver.find_element(By.LINK_TEXT, "Webhooks"))
    driver.find_element(By.CSS_SELECTOR, "#new-webhook summary").click()
    driver.find_element(By.ID, "webhook-name").send_keys("deploy")
    driver.find_element(By.ID, "webhook-address").send_keys("http://127.0.0.1:9/deploy")
    go(driver.find_element(By.ID, "save-webhook"))
    findings["webhook_path"] = path()
    findings["webhook_heading"] = text("#webhook-name-heading")
    findings["webhook_state"] = text("#webhook-state")
    shot("webhook")
    go(driver.find_element(By.LINK_TEXT, "Configuration"))
    findings["configuration_public"] = driver.find_element(By.ID, "config-public").is_selected()
    shot("project-configuration")
    go(driver.find_element(By.ID, "about-link"))
    findings["about_facts"] = text("#about-facts")
    shot("about")
    go(driver.find_element(By.ID, "current-user"))
    findings["account_path"] = path()
    findings["registry_address"] = text("#registry-address")
    shot("account")

    # Administration: a user created through the form, the whole audit log, the job queue, the configuration.
    go(driver.find_element(By.ID, "administration"))
    findings["administration_path"] = path()
    driver.find_element(By.CSS_SELECTOR, "#new-user summary").click()
    driver.find_element(By.ID, "user-name").send_keys("ops1")
    driver.find_element(By.ID, "user-email").send_keys("ops1@example.org")
    driver.find_element(By.ID, "user-realname").send_keys("Olga Ops")
    driver.find_element(By.ID, "user-password").send_keys(user_password)
    driver.find_element(By.ID, "user-confirm").send_keys(user_password)
    go(driver.find_element(By.ID, "create-user"))
    findings["created_user_path"] = path()
    findings["created_user_rows"] = [cells[:4] for cells in table("#users")]
    driver.get(base + "/harbor/users")
    shot("users")
    go(driver.find_element(By.LINK_TEXT, "Audit log"))
    findings["system_log_rows"] = [cells[:4] for cells in table("#logs")[:3]]
    shot("audit-log")
    # A system robot for every project: created from the administration's robot page, its secret shown once.
    go(driver.find_element(By.LINK_TEXT, "Robot accounts"))
    driver.find_element(By.CSS_SELECTOR, "#new-system-robot summary").click()
    driver.find_element(By.ID, "robot-name").send_keys("mirror")
    driver.find_element(By.ID, "robot-description").send_keys("mirrors every project")
    driver.find_element(By.CSS_SELECTOR, "input[name=system_access][value='project:list']").click()
    go(driver.find_element(By.ID, "create-system-robot"))
    findings["system_robot_name"] = text("#robot-name-created")
    go(driver.find_element(By.ID, "robots-back"))
    findings["system_robot_rows"] = [cells[:3] for cells in table("#system-robots")]
    shot("system-robots")
    go(driver.find_element(By.LINK_TEXT, "Storage"))
    findings["storage_chart_bars"] = len(driver.find_elements(By.CSS_SELECTOR, "#storage-chart rect.bar"))
    shot("storage")
    go(driver.find_element(By.LINK_TEXT, "Job queue"))
    findings["job_queue_live"] = present("#job-state[data-live]")
    findings["schedule_kinds"] = first_column("#schedules")
    findings["queue_kinds"] = first_column("#queues")
    shot("job-queue")
    # While work waits the page refreshes itself: a job stopped in another tab appears here without a reload.
    driver.get(base + "/harbor/job-service-dashboard?status=stopped")
    driver.execute_script("window.__notReloaded = true")
    findings["stopped_before"] = table("#jobs")
    watcher = driver.current_window_handle
    driver.switch_to.new_window("tab")
    stopped_id = None
    for _ in range(20):
        driver.get(base + "/harbor/job-service-dashboard?status=pending")
        buttons = driver.find_elements(By.CSS_SELECTOR, "button[id^=stop-job-]")
        if not buttons:
            time.sleep(0.5)
            continue
        candidate = buttons[0].get_attribute("id")[len("stop-job-"):]
        go(buttons[0])
        if not present("#problem"):
            stopped_id = candidate
            break
    findings["stopped_id"] = stopped_id
    driver.close()
    driver.switch_to.window(watcher)
    try:
        WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException]).until(lambda _: stopped_id in first_column("#jobs"))
    except TimeoutException:
        pass
    findings["live_rows"] = [cells[:3] for cells in table("#jobs")]
    findings["not_reloaded"] = driver.execute_script("return window.__notReloaded === true")
    go(driver.find_element(By.LINK_TEXT, "Configuration"))
    findings["configuration"] = facts("#general")
    findings["no_ldap"] = text("#no-ldap")
    shot("configuration")

    driver.set_window_size(390, 844)
    driver.get(base + "/harbor/projects")
    findings["phone_page_width"] = driver.execute_script("return document.documentElement.scrollWidth")
    shot("projects-phone")
    driver.set_window_size(1280, 860)

    go(driver.find_element(By.ID, "sign-out"))
    findings["signed_out_path"] = path()
    driver.get(base + "/harbor/projects/team/repositories")
    findings["after_sign_out"] = path()

    # What each role is offered: a developer may tag but not edit the description, delete tags or manage members;
    # a guest may only look; an anonymous visitor of a public project sees no forms and no members tab.
    repository_page = base + "/harbor/projects/app-images/repositories/web"
    views = {}
    for user in ("dev1", "guest1", None):
        if user:
            sign_in(user, user_password)
        driver.get(base + "/harbor/projects/app-images/repositories")
        view = {"tabs": [tab.text for tab in driver.find_elements(By.CSS_SELECTOR, ".tabs a")]}
        driver.get(repository_page)
        view["path"] = path()
        view["edit_description"] = present("#edit-description")
        view["delete_repository"] = present("#delete-repository")
        driver.get(base + findings["artifact_path"])
        view["add_tag"] = present("#add-tag")
        view["delete_tag"] = present("#tags button.danger")
        view["delete_artifact"] = present("#delete-artifact")
        driver.get(base + "/harbor/projects/app-images/members")
        view["members_path"] = path()
        view["add_member"] = present("#new-member")
        view["change_role"] = present("#members select")
        views[user or "anonymous"] = view
        if user:
            go(driver.find_element(By.ID, "sign-out"))
    findings["views"] = views
finally:
    driver.quit()

print(json.dumps(findings))
