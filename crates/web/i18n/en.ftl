### English copy of Herald: pages, mail and the JSON API's messages.
### Every message here must exist in every other catalog with the same
### variables (a test checks). Ids are the code's dotted keys with dashes
### (`nav.home` is `nav-home`); `{ $name }` is a value filled in by code,
### and a number chooses among plural forms with `{ $n -> [one] … *[other] … }`.

## app
app-name = Herald
app-tagline = Compose once. Publish everywhere. Exactly once.
app-description = Self-hosted social publishing for creators and small teams: schedule to Instagram, Facebook, TikTok and YouTube, see every post go out on time, and know what happened to each one.

## nav
nav-label = Main navigation
nav-skip = Skip to content
nav-menu = Menu
nav-home = Home
nav-publishing = Publishing
nav-calendar = Calendar
nav-webhooks = Webhooks
nav-settings = Settings
nav-compose = Compose

## language
language-label = Language
language-submit = Switch

## public
public-open_app = Open Herald
public-privacy = Privacy
public-terms = Terms
public-home = Start page
public-footer = Herald is free software (AGPL-3.0). This instance is run by its operator on their own server.
public-updated = Last updated: { $date }
public-operator = This instance is run by { $name }. Write to them at { $contact }.
public-operator_unknown = The operator of this instance has not published their name and contact address here yet. Ask the person who gave you access to it.

## dev
dev-banner = Development mode: missing keys are generated into the data folder. Set HERALD_MODE=production and configure your own secrets before real accounts use this instance.
dev-sandbox_banner = The built-in sandbox is on (HERALD_SANDBOX=on): platforms without app credentials connect to simulators, not to the real platforms. Nothing posted to them is public.

## landing
landing-title = Compose once. Publish everywhere. Exactly once.
landing-lead = Herald schedules your posts to Instagram, Facebook, TikTok and YouTube from one calendar, gets each one out on time and never twice, and shows you what happened to each of them. It runs as one small program on your own server.
landing-cta = Open Herald
landing-cta_secondary = How we handle your data
landing-features_heading = What Herald does
landing-f_schedule_title = One calendar for every platform
landing-f_schedule_body = Draft a post once, adapt the caption, media and title per platform, and schedule it in your own time zone. 09:00 in Berlin stays 09:00 in Berlin across daylight-saving changes.
landing-f_exactly_once_title = No lost posts, no duplicates
landing-f_exactly_once_body = Every publish is stored before it is attempted and carries an idempotency key. After a timeout or a crash Herald checks with the platform before it tries again.
landing-f_team_title = A team with clear roles
landing-f_team_body = Invite people as admins, editors, contributors or viewers: contributors draft, editors publish, viewers look. Every sign-in and sensitive change is in the workspace's audit log.
landing-f_selfhosted_title = Yours to run
landing-f_selfhosted_body = One binary with an embedded database to start, PostgreSQL, Redis and S3-compatible storage when you grow. Your tokens are encrypted at rest and never leave your server except to the platform they belong to.
landing-f_accounts_title = Accounts connected safely
landing-f_accounts_body = Connect Facebook Pages, Instagram business and creator accounts, TikTok accounts and YouTube channels. Herald renews access before it expires, tells you when an account needs reconnecting, and keeps every token encrypted.
landing-f_webhooks_title = Webhooks both ways
landing-f_webhooks_body = Comments, mentions and messages Meta sends are verified, stored and listed with their history and a replay button; your own systems get signed events when a post goes out or fails.
landing-see_it = See it in Herald

## home
home-title = Welcome to Herald
home-lead = These steps take you from an empty workspace to your first published post.
home-steps_heading = Getting started
home-step_connect_title = Connect your accounts
home-step_connect_body = Link a Facebook Page, an Instagram business or creator account, a TikTok account or a YouTube channel. Each connection shows the permissions it was granted and when its access expires.
home-step_compose_title = Draft your first post
home-step_compose_body = Write the caption once, then adapt the caption, media and title for each platform. Herald checks every platform's rules as you type.
home-step_schedule_title = Pick a time
home-step_schedule_body = Place the post on the calendar in your time zone, or publish it now. Once it is out, the calendar links to it on the platform.
home-step_results_title = Hear back
home-step_results_body = Comments, mentions and messages Meta sends about your accounts arrive in Notifications, and your own systems can get a signed webhook when a post goes out or fails.
home-step_team_title = Bring your team
home-step_team_body = Invite admins, editors, contributors and viewers in Settings; each role sees and does only what it is for.
home-open = Go to { $section }

## section.calendar
section-calendar-title = Calendar
section-calendar-lead = Scheduled, published and failed posts by month and week, across every platform.
section-calendar-empty_title = Nothing scheduled
section-calendar-empty_body = Posts you schedule appear here at their publishing time in your time zone. From here you can move, retry or cancel them.
section-calendar-next = Next: connect an account in Publishing, then draft a post.

## section.settings
section-settings-title = Settings
section-settings-lead = Your workspace, team, language and security.
section-settings-language_title = Language
section-settings-language_body = Herald's screens and e-mails are available in English and German.
section-settings-empty_title = Team and security
section-settings-empty_body = Members and their roles, devices signed in to your account and the audit log of sensitive actions are managed here.
section-settings-next = Next: choose your language above.

## error
error-heading = Something went wrong
error-home = Back to the start page
error-reference = Reference: { $id }
error-not_found = We could not find that page. Check the address, or start again from the start page.
error-method_not_allowed = This address does not accept that kind of request.
error-payload_too_large = What you sent is larger than this server accepts. Send a smaller file or less text.
error-timeout = That took too long to answer. Please try again in a moment.
error-unsupported_media_type = What you sent is in a format this address does not accept.
error-bad_request = The request could not be understood. Check what you entered and try again.
error-malformed_json = The request body is not valid JSON; `field` and `expected` say where it stops making sense.
error-invalid_body = A value in the request body is not what this endpoint takes; `field` names it and `expected` says what was wrong.
error-unknown_language = That language is not available. Choose English or German.
error-forbidden = You are not allowed to do that.
error-cross_site_request = This request came from another website and was refused to protect your account. Reload the page and try again.
error-rate_limited = Too many attempts. Please wait a moment before trying again.
error-service_unavailable = Herald cannot reach a service it needs right now. Please try again shortly.
error-internal = Something went wrong on our side. It has been logged; please try again.
error-unauthorized = Please log in first.
error-invalid_email = That does not look like an e-mail address. Check it for typos.
error-password_too_short = Choose a password of at least 12 characters.
error-password_too_long = Choose a password of at most 256 characters.
error-password_too_weak = That password is too common or too easy to guess. Try a few unrelated words.
error-invalid_credentials = That e-mail address and password do not match an account.
error-invalid_token = This link or code is invalid, was already used, or has expired. Ask for a new one.
error-token_reused = This sign-in was used twice, so the device was signed out to protect your account. Please log in again.
error-email_not_verified = Confirm your e-mail address first: open the link we sent you.
error-last_owner = A workspace needs at least one owner. Make someone else an owner first.
error-invite_email_mismatch = This invitation was sent to another e-mail address. Log in with that address to accept it.
error-already_member = That person is already a member of this workspace.
error-invite_owner = Invite people with another role; you can make them an owner once they have joined.
error-unknown_role = Choose one of the listed roles.
error-device_name_required = Give the device a name, for example the name of the app.
error-unknown_device_kind = The device kind must be web, mobile or assistant.
error-unknown_grant_type = The grant type must be password or refresh_token.
error-csrf_failed = This form has expired. Reload the page and try again.
error-connect_session_required = Connecting an account needs a signed-in browser. Log in on the web and start again from Publishing.
error-connect_forged_state = This sign-in answer was not started from your session, so it was refused. If you did start connecting an account, start again from Publishing.
error-connect_stale_state = This connection attempt has expired or was already completed. Start again from Publishing; you have ten minutes to finish.
error-connect_denied = You declined the request, so nothing was connected. You can try again whenever you like.
error-connect_platform_error = The platform reported a problem and nothing was connected. Try again in a moment.
error-connect_missing_scopes = Some permissions Herald needs to publish were not granted, so nothing was connected. Grant them on the next screen to continue.
error-connect_no_pages = No Facebook Pages came back from Facebook. You must be an admin (or have full control) of a Page and select it in the Facebook dialog. To post to Instagram, the Instagram account must be a business or creator account linked to that Page.
error-connect_no_channels = This Google account has no YouTube channel. Create one at youtube.com (or pick the Google account that owns the channel), then connect again.
error-connect_no_accounts = The platform returned no account Herald could publish to. Check that you signed in with the right account.
error-connect_nothing_chosen = Choose at least one account to connect.
error-platform_reconnect = The platform no longer accepts Herald's access for this account (it expired, was revoked or the password changed). Connect the account again.
error-platform_reconsent = The platform says a permission Herald needs is missing. Connect the account again and grant every permission asked for.
error-platform_rate_limited = The platform asks Herald to slow down. Nothing was lost; Herald tries again when the platform allows it.
error-platform_unavailable = The platform did not answer properly. Nothing was changed; please try again in a few minutes.
error-platform_bad_request = The platform refused the request. If this keeps happening, note the reference and tell your administrator.
error-platform_misconfigured = The platform rejected this server's app credentials or redirect address. An administrator must check the platform settings in Herald's configuration.
error-media_too_large = This file is larger than this server accepts. Send a shorter or smaller version.
error-media_empty = The file is empty. Choose the file again.
error-media_unsupported = This kind of file cannot be posted. Upload a JPEG, PNG, WebP or GIF image, or an MP4 or MOV video.
error-media_malformed = The file looks like an image or video but cannot be read; it may be damaged or cut off. Export it again and upload the new file.
error-media_not_downloadable = This Google Drive file cannot be imported: it is a Google Docs file or its owner does not allow downloading it.
error-media_drive_unavailable = Importing from Google Drive is not set up on this server. An administrator must configure a Google app.
error-media_upload_interrupted = The upload broke off before the whole file arrived. Check the connection and try again.
error-media_link_expired = This media link has expired. Ask for a new one.
error-media_link_invalid = This media link is not valid.
error-post_not_found = We could not find that post. It may have been deleted, or it belongs to another workspace.
error-post_no_targets = Choose at least one account to publish to.
error-post_duplicate_target = The same account is chosen twice. Choose each account once.
error-post_unknown_connection = One of the chosen accounts is no longer connected to this workspace. Reload the page and choose again.
error-post_connection_needs_reconnection = One of the chosen accounts has to be reconnected before it can publish. Reconnect it in Publishing, or leave it out.
error-post_unknown_media = A media file of this post is no longer in the library. Pick it again or choose another.
error-post_invalid = The post does not meet every platform's rules yet. Fix the points listed, then save again.
error-post_unknown_time_zone = That time zone is unknown. Choose one from the list, such as Europe/Berlin.
error-post_invalid_time = Enter a date and a time to schedule the post.
error-post_time_in_past = That time has already passed. Choose a time in the future, or publish now.
error-post_wrong_state = This post is being published or has been published, so it can no longer be changed that way.
error-post_provider_unavailable = Publishing to one of the chosen platforms is not available on this server. Leave that account out or ask your administrator.
error-post_platform_unavailable = The platform did not answer a question the composer needs. Try again in a moment.
error-post_approval_required = This post needs approval before it goes out. Submit it for approval instead.
error-post_own_approval = Nobody approves their own post. Ask another approver, or send a client review link.
error-post_comment_required = Say which changes are needed: the comment is what the author works from.
error-post_comment_too_long = Keep the comment to 5,000 characters or fewer.
error-post_unknown_member = One of the chosen approvers is not a member of this workspace. Reload the page and choose again.
error-post_comment_not_found = The comment you replied to is not on this post any more. Reload the page.
error-post_not_in_review = This post is not waiting for approval, so there is nothing to decide. Reload the page to see where it stands.
error-review_link_posts = A review link shows one to fifty posts of this workspace.
error-review_link_expiry = A review link is valid for 1 to 30 days.
error-review_link_label_too_long = Keep the note to 100 characters or fewer.
error-review_link_password_invalid = A review link's password has 8 to 128 characters.
error-review_link_not_found = There is no such review link.
error-review_link_expired = This review link has expired or was revoked.
error-review_link_password_required = This review link is protected: enter its password.
error-review_link_password_wrong = That password is not right. Check it and try again.
error-review_link_name_required = Enter your name (up to 100 characters), so the team knows who decided.
error-endpoint_url_invalid = Enter the endpoint's full address, starting with https://, for example https://example.com/herald-events.
error-endpoint_url_scheme = The endpoint's address must start with https:// (http:// only works where an administrator allows private targets).
error-endpoint_url_credentials = Leave the user name and password out of the address; verify Herald's signature instead.
error-endpoint_url_private = Herald does not send webhooks to private, loopback, link-local or cloud metadata addresses. Use a public address, or ask an administrator to allow private targets (HERALD_WEBHOOK_ALLOW_PRIVATE).
error-endpoint_url_unresolvable = The endpoint's host name could not be found. Check the address for typos.
error-endpoint_unknown_event_type = One of the chosen event types does not exist. Choose from the listed event types.
error-endpoint_description_too_long = Keep the description to 200 characters or fewer.
error-endpoint_unknown_state = Filter by one of the listed delivery states.
error-endpoint_replay_invalid = Choose at least one delivery to replay, or a time to replay the failed deliveries since.
error-endpoint_replay_since_invalid = Enter a date and a time to replay the failed deliveries since.
error-endpoint_delete_unconfirmed = Tick the box to confirm that the endpoint should be deleted.
error-webhook_signature = The X-Hub-Signature-256 signature is missing or does not match this Herald's Meta app secret. Nothing was stored.
error-webhook_malformed = The body is not a Meta webhook payload (a JSON object with "object" and "entry"). Nothing was stored.
error-webhook_not_stored = The delivery could not be stored just now, so it was not acknowledged. Send it again in a moment.
error-webhook_verify_token = The verify token does not match the one configured for this Herald (HERALD_META_VERIFY_TOKEN), or hub.mode is not "subscribe".
error-signed_request_signature = The signed_request's signature does not match this Herald's Meta app secret. Nothing was changed.
error-signed_request_malformed = Send a signed_request form field: <signature>.<payload> in base64url, signed with HMAC-SHA256 and naming a user. Nothing was changed.
error-webhook_invalid_status = Filter by one of the listed statuses: received, processed, retrying or failed (dead).
error-webhook_invalid_time = Enter a valid date and time. The API takes RFC 3339 times such as 2026-03-29T09:00:00Z.
error-webhook_invalid_range = The end of the time range must come after its start.
error-webhook_invalid_limit = Ask for between 1 and 200 items per page.
error-webhook_invalid_replay = Send either the ids of the deliveries to replay (at most 200) or a time to replay the failed ones since, not both.
error-webhook_nothing_selected = Tick at least one delivery to replay.
error-notification_unknown_kind = One of the notification kinds is unknown. The preferences you GET list every kind.
error-consent_required = Accept the privacy notice and the terms to create an account.
error-workspace_personal = Your personal workspace goes with your account; delete your account instead.
error-workspace_name_mismatch = Type the workspace's name exactly to confirm.
error-deletion_plan_incomplete = Choose what happens to each shared workspace you own.
error-deletion_plan_invalid = That choice does not fit the workspaces you own. Reload the page and choose again.
error-handover_not_member = The person you chose is not a member of that workspace any more. Choose again.
error-export_not_ready = This export is not ready, failed or has expired. Ask for a new one.

## auth
auth-email = E-mail address
auth-password = Password
auth-name = Your name (optional)
auth-token = Code from the e-mail
auth-password_hint = At least 12 characters. A few unrelated words make a strong password that is easy to remember.
auth-login_title = Log in to Herald
auth-login_submit = Log in
auth-signup_title = Create your Herald account
auth-signup_submit = Create account
auth-to_signup = Create an account
auth-to_login = Log in
auth-to_forgot = Forgot your password?
auth-to_home = Go to Herald
auth-check_inbox_title = Check your inbox
auth-check_inbox_lead = We sent a message to { $email }. Follow the link in it to continue. It can take a minute to arrive; look in your spam folder if it does not.
auth-verify_title = Confirm your e-mail address
auth-verify_lead = Confirm that this address is yours to finish setting up your account.
auth-verify_paste = Paste the code from the verification e-mail, or open the link in it.
auth-verify_submit = Confirm my address
auth-verified_title = Address confirmed
auth-verified_lead = Thank you. You can now connect your social accounts and publish.
auth-forgot_title = Reset your password
auth-forgot_lead = Enter the address you signed up with and we will send you a link to choose a new password.
auth-forgot_submit = Send the link
auth-reset_sent_lead = If an account exists for { $email }, we sent it a link to choose a new password. The link works for 30 minutes.
auth-reset_title = Choose a new password
auth-reset_submit = Save the new password
auth-reset_done_title = Password changed
auth-reset_done_lead = Your password was changed and every device was signed out. Log in with the new password.
auth-invite_title = Join a workspace
auth-invite_lead = You were invited to work with a team in Herald. Accept to join it with your account.
auth-invite_submit = Join the workspace
auth-logout = Log out
auth-unverified_notice = Confirm your e-mail address to connect social accounts and publish. We sent you a link when you signed up.
auth-resend = Send the link again
auth-accept_terms = I have read the privacy notice and accept the terms of this instance.

## settings
settings-account = Account
settings-verified = Confirmed
settings-unverified = Not confirmed yet
settings-password = Password
settings-current_password = Current password
settings-new_password = New password
settings-change_password = Change password
settings-sessions = Where you are signed in
settings-sessions_lead = Browsers and apps signed in to your account. Sign out any you do not recognise.
settings-device = Browser or app
settings-ip = IP address
settings-created = Signed in
settings-last_used = Last active
settings-actions = Actions
settings-this_session = This browser
settings-revoke = Sign out
settings-logout_everywhere = Sign out everywhere
settings-members = Members
settings-member = Member
settings-role = Role
settings-save = Save
settings-remove = Remove
settings-leave = Leave
settings-invite = Invite someone
settings-send_invite = Send invitation
settings-open_invites = Open invitations
settings-audit_link = Audit log of this workspace
settings-approvals_link = Approvals: who needs approval before posts go out
approvals-title = Approvals
approvals-back = Settings
approvals-lead = Decide who needs a post approved before it goes out in { $workspace }. A post waiting for approval never goes out, whatever its time; when its time comes it is held and its author and the approvers are told.
approvals-who = Who needs approval
approvals-mode-none = Nobody (contributors still submit their posts)
approvals-mode-contributors = Contributors
approvals-mode-everyone = Everyone, approvers included (another approver approves)
approvals-contributors_always = Contributors may not schedule or publish, so their posts always go through approval. Nobody approves their own post.
approvals-accounts = Accounts that always need approval
approvals-accounts_hint = Posts to these accounts need approval from everyone, whatever is chosen above.
approvals-no_accounts = No accounts are connected yet.
approvals-approvers = Further approvers
approvals-approvers_hint = Owners, admins and editors approve. Tick members with other roles who may approve too (for example a client who is a viewer).
approvals-no_other_members = Every member approves already by their role.
approvals-edits = Edits after approval
approvals-reapprove_on_edit = An edit by the author or anyone else who may not approve the post sends it back for approval
approvals-save = Save
approvals-only_admins = Only owners and admins change who needs approval.
approvals-done-saved = Saved. New saves and submissions follow these rules.
settings-review_link = Platform review: what each platform's app needs from this instance
settings-delete_workspace = Delete this workspace
settings-delete_workspace_body = Deletes the workspace at once for every member: its posts, media, connected accounts (Herald's access is revoked where the platform allows it), webhooks and notifications. This cannot be undone.
settings-delete_workspace_confirm = Type { $name } to confirm
settings-delete_workspace_submit = Delete the workspace
settings-data_body = What you agreed to, a download of everything about you, and deleting your account.
settings-data_link = Open Your data

## settings.done
settings-done-password_changed = Your password was changed. Other browsers and apps were signed out.
settings-done-session_revoked = That session was signed out.
settings-done-device_revoked = That app or device was signed out.
settings-done-invited = The invitation is on its way.
settings-done-invite_revoked = The invitation was withdrawn.
settings-done-role_changed = The role was changed.
settings-done-member_removed = The member was removed.
settings-done-left = You left the workspace.
settings-done-joined = Welcome to the workspace.
settings-done-workspace_deleted = The workspace was deleted.

## role
role-owner = Owner
role-admin = Admin
role-editor = Editor
role-contributor = Contributor
role-viewer = Viewer

## audit
audit-title = Audit log
audit-lead = Sign-ins, security changes and membership changes in this workspace, newest first. Passwords and tokens are never recorded.
audit-empty = Nothing recorded yet.
audit-when = When
audit-who = Who
audit-what = What
audit-outcome = Outcome
audit-subject = About
audit-from = From
audit-back = Back to settings

## mail
mail-greeting = Hello,
mail-link_hint = If the button does not work, copy this address into your browser:
mail-footer = You receive this e-mail because of an action on the Herald instance at { $site }. If it was not you, you can ignore it; nothing changes without the link.

## mail.verify_email
mail-verify_email-subject = Confirm your e-mail address for Herald
mail-verify_email-body = Thank you for signing up. Please confirm that this address is yours; the link works for 24 hours.
mail-verify_email-action = Confirm my address

## mail.reset_password
mail-reset_password-subject = Reset your Herald password
mail-reset_password-body = Someone asked to reset the password of your Herald account. If it was you, choose a new password with the link below; it works for 30 minutes.
mail-reset_password-action = Choose a new password

## mail.password_changed
mail-password_changed-subject = Your Herald password was changed
mail-password_changed-body = The password of your Herald account was just changed and every other device was signed out. If you did not do this, reset your password at once.
mail-password_changed-action = Reset my password

## mail.account_exists
mail-account_exists-subject = Someone tried to sign up with your address
mail-account_exists-body = Someone tried to create a Herald account with this e-mail address, but you already have one. If it was you, log in, or reset your password if you forgot it.
mail-account_exists-action = Reset my password

## mail.invitation
mail-invitation-subject = { $inviter } invited you to { $workspace } on Herald
mail-invitation-body = { $inviter } invited you to work together in the workspace { $workspace }. Log in or create an account with this e-mail address, then accept the invitation; it is valid for 7 days.
mail-invitation-action = Accept the invitation

## publishing
publishing-access = Access
publishing-title = Publishing
publishing-lead = The social accounts this workspace publishes to. Herald renews their access before it expires and tells you when one needs you.
publishing-providers_heading = Connect an account
publishing-accounts_heading = Connected accounts
publishing-sandbox = Sandbox
publishing-sandbox_note = No app credentials are configured for this platform, so it connects to Herald's built-in simulator. Nothing is posted anywhere real.
publishing-connect = Connect { $provider }
publishing-connect_more = Connect another
publishing-needs = What you need
publishing-empty_title = No accounts connected yet
publishing-empty_body = Pick a platform above. You will be sent to the platform to sign in and approve Herald's access, then come back here.
publishing-status = Status
publishing-status_active = Connected
publishing-status_refresh_failing = Renewal failing, retrying
publishing-status_needs_reconnection = Needs reconnection
publishing-detail_credentials_unreadable = The stored access could not be decrypted (a vault key is missing). Reconnect the account.
publishing-detail_provider_unconfigured = This instance has no app set up for this platform any more.
publishing-detail_platform_reconnect = The platform no longer accepts Herald's access: { $said }
publishing-detail_platform_reconsent = The platform wants permissions granted again: { $said }
publishing-detail_platform_rate_limited = The platform asked Herald to slow down: { $said }
publishing-detail_platform_unavailable = The platform could not renew the access just now: { $said }
publishing-detail_platform_bad_request = The platform refused the renewal: { $said }
publishing-detail_platform_misconfigured = The platform refused this instance's app settings: { $said }
publishing-detail_access_removed = Access was removed on { $app }.
publishing-webhooks = Webhooks
publishing-webhooks_subscribed = On: Meta sends { $fields } to Herald's inbox.
publishing-webhooks_pending = Not switched on yet: Herald asks Meta at the next check of this connection, or reconnect it now.
publishing-webhooks_retrying = Switching them on failed for now ({ $said }). Herald will retry on its own.
publishing-webhooks_failed = Meta refused to switch them on ({ $said }). Herald tries again every day; if this stays, ask your Herald administrator to check the Meta app's webhook settings.
publishing-webhooks_missing_permission = Off: the connection lacks the permission { $scopes }, so Meta sends no comments, mentions or messages to the inbox (publishing still works). Reconnect and allow it; if the platform does not offer it, ask your Herald administrator, whose Meta app needs it approved.
publishing-expires = Access valid until { $when }, renewed automatically
publishing-never_expires = Access does not expire
publishing-last_renewed = Last renewed { $when }
publishing-scopes = Permissions
publishing-via = via { $parent }
publishing-reconnect = Reconnect
publishing-remove = Remove
publishing-remove_note = Removing revokes Herald's access at the platform where the platform allows it and deletes the stored tokens.
publishing-no_permission = Your role in this workspace can see connections but not change them.
publishing-unverified = Confirm your e-mail address before connecting accounts.
publishing-workspace = Workspace
publishing-kind_facebook_page = Facebook Page
publishing-kind_instagram_business = Instagram business account
publishing-kind_instagram_account = Instagram professional account
publishing-kind_tiktok_user = TikTok account
publishing-kind_youtube_channel = YouTube channel
publishing-facebook_name = Facebook Pages & Instagram
publishing-facebook_needs = A Facebook account that manages at least one Page. Instagram business or creator accounts linked to your Pages are offered too.
publishing-instagram_name = Instagram (without a Facebook Page)
publishing-instagram_needs = An Instagram business or creator account. Access lasts 60 days and is renewed automatically.
publishing-tiktok_name = TikTok
publishing-tiktok_needs = A TikTok account. Access lasts a day and is renewed automatically.
publishing-youtube_name = YouTube
publishing-youtube_needs = A Google account with at least one YouTube channel. If it owns several, you choose which to connect.
publishing-youtube_locked = YouTube made this channel's last upload private although it was set to “{ $requested }”: this Herald's Google Cloud project has not passed YouTube's API audit, so every upload through it is locked to private. Whoever runs this Herald has to get the project audited.
publishing-youtube_budget_near = { $used } of the { $limit } YouTube uploads this Herald may make today are used (every workspace on it counts). Uploads beyond that wait until { $resets }.
publishing-youtube_budget_spent = All { $limit } YouTube uploads this Herald may make today are used (every workspace on it counts; { $used } so far). New uploads wait until { $resets }.
publishing-choose_title = Choose what to connect
publishing-choose_lead = { $provider } gave Herald access to these accounts. Tick the ones this workspace should publish to.
publishing-choose_submit = Connect selected
publishing-already_connected = already connected; choosing it renews its access
publishing-cancel = Cancel
publishing-result_title = Nothing was connected
publishing-retry = Try again
publishing-reconsent = Grant the missing permissions
publishing-missing = Missing: { $scopes }
publishing-back = Back to Publishing

## publishing.done
publishing-done-connected = Connected. The account is ready to publish to.
publishing-done-revoked = Removed. Access was revoked at the platform and the stored tokens were deleted.
publishing-done-not_revocable = Removed. The platform offers no way to revoke this access from here, so the stored tokens were deleted; you can also remove Herald in the platform's app settings.
publishing-done-shared_grant = Removed. Other connected accounts use the same sign-in, so access stays valid for them; the tokens for this one were deleted.
publishing-done-revoke_failed = Removed. The platform could not be reached to revoke access, but the stored tokens were deleted; you can also remove Herald in the platform's app settings.

# The development mailbox (/dev/mailbox), shown only in development mode.
## mailbox
mailbox-title = Development mailbox
mailbox-lead = The mail this instance has queued, newest first. Without an SMTP server (HERALD_SMTP_URL) nothing leaves this machine: mail is kept here instead, so you can open verification and reset links directly.
mailbox-empty_title = No mail yet
mailbox-empty_body = No mail yet: mail Herald sends in development mode appears here, such as address confirmations, password resets and invitations. Sign up or ask for a password reset to see one.
mailbox-to = To
mailbox-subject = Subject
mailbox-kind = Kind
mailbox-queued = Queued
mailbox-state = State
mailbox-sent = Sent
mailbox-not_sent = Not yet
mailbox-attempts = Delivery attempts
mailbox-last_error = Last error
mailbox-no_subject = (no subject)
mailbox-state_pending = Pending
mailbox-state_sent = Sent
mailbox-state_failed = Failed
mailbox-back = ← Back to the mailbox
mailbox-text_part = Plain-text version
mailbox-html_part = HTML version (source)

# The calendar (/home/calendar) and its queue list.
## calendar
calendar-title = Calendar
calendar-lead = Scheduled, published and failed posts across every platform, in your time zone.
calendar-navigation = Move through the calendar
calendar-previous = Previous
calendar-today = Today
calendar-next = Next
calendar-view = View
calendar-month_view = Month
calendar-week_view = Week
calendar-week_of = Week { $start }
calendar-long_date = { $day } { $month } { $year }
calendar-zone_label = Time zone
calendar-state_label = Show
calendar-state-all = All posts
calendar-state-draft = Drafts
calendar-state-in_review = Waiting for approval
calendar-state-changes_requested = Changes requested
calendar-state-approved = Approved
calendar-state-scheduled = Scheduled
calendar-state-published = Published
calendar-state-failed = Failed
calendar-zone_submit = Show
calendar-zone_query = Times are shown in { $zone }, the zone you chose.
calendar-zone_browser = Times are shown in { $zone }, your browser's time zone.
calendar-zone_default = Times are shown in { $zone }. Choose your time zone to see them in local time.
calendar-nothing = Nothing planned.
calendar-legend = What the colours mean
calendar-queue = Queue
calendar-compose_first = Compose a post

## calendar.month
calendar-month-1 = January
calendar-month-2 = February
calendar-month-3 = March
calendar-month-4 = April
calendar-month-5 = May
calendar-month-6 = June
calendar-month-7 = July
calendar-month-8 = August
calendar-month-9 = September
calendar-month-10 = October
calendar-month-11 = November
calendar-month-12 = December

## calendar.weekday
calendar-weekday-mon = Mon
calendar-weekday-tue = Tue
calendar-weekday-wed = Wed
calendar-weekday-thu = Thu
calendar-weekday-fri = Fri
calendar-weekday-sat = Sat
calendar-weekday-sun = Sun

## calendar.list
calendar-list-upcoming = Upcoming
calendar-list-published = Published
calendar-list-failed = Failed
calendar-list-drafts = Drafts
calendar-list-review = Approvals

## calendar.empty
calendar-empty-upcoming = Nothing is scheduled. Posts you schedule appear here, soonest first, with every account they go to.
calendar-empty-published = Nothing has been published yet. Published posts appear here with a link to each platform.
calendar-empty-failed = No failed posts. If a post cannot go out, it appears here with the reason and what to do about it.
calendar-empty-drafts = No drafts. Save a post as a draft in the composer to finish it later.
calendar-empty-review = Nothing waits for approval. Posts submitted for approval show up here until they are approved.

# Posts in the queue list and on their own page.
## posts
posts-no_caption = (no caption)
posts-open_on = Open on { $platform }
posts-scheduled_as = scheduled as
posts-details = Details
posts-retry = Retry
posts-edit = Edit
posts-cancel = Cancel
posts-cancel_confirm = Cancel this post on every account that has not published it yet?
posts-delete = Delete
posts-delete_confirm = Delete this post for good?
posts-reschedule = Reschedule
posts-reschedule_submit = Save the new time
posts-detail_title = Post
posts-back_to_calendar = Back to the calendar
posts-status_label = Status
posts-goes_out = When
posts-not_scheduled = Not scheduled
posts-created = Created
posts-times_in = Times shown in
posts-per_account = Per account
posts-published_at = Published
posts-remote_id = Id on the platform
posts-permalink = Link
posts-attempts = Attempts
posts-receipts = Delivery receipts
posts-no_receipts = No attempt yet.
posts-outcome_label = Outcome
posts-started = Started
posts-finished = Finished
posts-remote_ids = Ids from the platform
posts-error = Error

## posts.status
posts-status-draft = Draft
posts-status-scheduled = Scheduled
posts-status-publishing = Publishing
posts-status-published = Published
posts-status-partially_published = Partially published
posts-status-failed = Failed
posts-status-cancelled = Cancelled

## posts.outcome
posts-outcome-published = Published
posts-outcome-waiting = Waiting for the platform
posts-outcome-retrying = Will retry
posts-outcome-failed = Failed
posts-outcome-cancelled = Cancelled

## posts.failure
posts-postponed = Postponed by the platform:
posts-postponed_until = { $reason } Herald tries again at { $until }.
posts-published_notice = Published, but note:
posts-failure-reconnect = The account needs to be reconnected.
posts-failure-reconsent = Herald is missing a permission for this account.
posts-failure-rejected = The platform refused the post.
posts-failure-invalid = The post does not meet the platform's rules.
posts-failure-quota = The platform's publishing limit was reached.
posts-failure-unavailable = The platform kept failing.
posts-failure-unconfirmed = The platform never confirmed whether the post went out.
posts-failure-misconfigured = The platform rejected this server's app settings.
posts-failure-media_missing = A media file of the post was deleted.
posts-failure-disconnected = The account was removed from the workspace.

## posts.fix
posts-fix-reconnect = Reconnect the account, then retry.
posts-fix-reconsent = Connect the account again and grant every permission, then retry.
posts-fix-rejected = Edit the post, then retry.
posts-fix-invalid = Edit the post, then retry.
posts-fix-quota = The platform's limit resets later; retry then.
posts-fix-unavailable = The platform is having trouble; retry later.
posts-fix-unconfirmed = Check the account on the platform; a retry checks first and never posts twice.
posts-fix-misconfigured = Ask your Herald administrator to check the platform app settings.
posts-fix-media_missing = Pick the media again, then retry.
posts-fix-disconnected = Connect the account again, then edit the post.

## posts.done
posts-done-scheduled = Scheduled. The post goes out at its time on every chosen account.
posts-done-draft_saved = Draft saved.
posts-done-publishing = Publishing now. This page shows each account's progress.
posts-done-rescheduled = The post was moved to its new time.
posts-done-cancelled = Cancelled. Nothing more will be published for this post.
posts-done-retrying = Trying again now. Herald checks with the platform first, so nothing is posted twice.
posts-done-deleted = The post was deleted.
posts-done-submitted = Submitted for approval. The approvers were told; it goes out at its time once approved.
posts-done-approved = Approved. The post goes out at its time (at once if its time has passed).
posts-done-changes_requested = Changes requested. The author was told what to change.
posts-done-commented = Comment added.
posts-submit = Submit for approval
posts-review-title = Approval
posts-review-in_review = Waiting for approval
posts-review-changes_requested = Changes requested
posts-review-approved = Approved
posts-review-held = Held
posts-review-held_hint = Its time came while it still waited for approval, so it did not go out. Approving it now sends it at once.
posts-review-someone = Someone
posts-review-approve = Approve
posts-review-approve_comment = Comment (optional)
posts-review-request_changes = Request changes
posts-review-changes_comment = What should change?
posts-history-submitted = { $name } submitted it for approval.
posts-history-approved = { $name } approved it.
posts-history-approved_link = { $name } approved it through a client review link.
posts-history-changes_requested = { $name } asked for changes.
posts-history-changes_requested_link = { $name } asked for changes through a client review link.
posts-history-reopened = { $name } edited it after approval, so it waits for approval again.
posts-history-held = Its time came while it still waited for approval: it was held.
posts-history-withdrawn = { $name } took it back to the drafts.
posts-comments-title = Comments
posts-comments-empty = No comments yet. Mention a teammate with @ and their name or address to let them know.
posts-comments-reply = Reply
posts-comments-reply_label = Your reply
posts-comments-send = Send
posts-comments-new_label = New comment
posts-comments-mention_hint = Mention a teammate with @name, @address@example.com or the part before the @ of their address; they are notified.
posts-comments-about = About
posts-comments-whole_post = The whole post
posts-done-link_revoked = The review link was revoked. It no longer opens.
posts-links-title = Client review links
posts-links-lead = Share this post with someone outside the workspace: they see each account's preview and media, and approve or ask for changes with their name. Nothing else in the workspace is reachable through the link.
posts-links-unnamed = Review link
posts-links-created = created { $when }
posts-links-expires = expires { $when }
posts-links-inactive = expired or revoked
posts-links-protected = password protected
posts-links-viewed = last opened { $when }
posts-links-revoke = Revoke
posts-links-create = Create a review link
posts-links-label = For whom (only your team sees this)
posts-links-days = Valid for days (1 to 30)
posts-links-password = Password (optional)
posts-links-password_hint = 8 to 128 characters. Send it separately from the link.
posts-links-create_submit = Create link
posts-links-created_title = Review link created
posts-links-shown_once = Copy the address now: it is shown only this once. Anyone with it can see this post until the link expires or you revoke it.
posts-links-address = Review address
posts-links-back = Back to the post
guest_review-title = Review posts
guest_review-lead = These posts wait for your approval. Check each account's version, then approve it or say what should change.
guest_review-expires = This link is valid until { $when } (UTC).
guest_review-goes_out = Planned for { $when }
guest_review-first_comment = First comment
guest_review-name = Your name
guest_review-comment = Comment (needed when you ask for changes)
guest_review-approve = Approve
guest_review-request_changes = Ask for changes
guest_review-not_waiting = This post does not wait for a decision any more.
guest_review-locked = This review link is protected. Enter the password you were given.
guest_review-password = Password
guest_review-unlock = Open
guest_review-expired = This review link has expired or was revoked. Ask the person who sent it for a new one.
guest_review-not_found = There is no review here. Check that the whole address was copied.
guest_review-decided-approved = { $name } approved it.
guest_review-decided-changes_requested = { $name } asked for changes.
guest_review-done-approved = Thank you: the post is approved and the team was told.
guest_review-done-changes_requested = Thank you: the team was told what to change.

# The composer (/home/compose).
## compose
compose-choose_accounts_first = Choose at least one account above to adapt the post for its platform.
compose-title = Compose
compose-edit_title = Edit post
compose-lead = Write once, adapt per platform, and publish now or at a time in your time zone.
compose-no_accounts_title = No accounts to publish to
compose-no_accounts_body = Connect an Instagram or Facebook Page, a TikTok account or a YouTube channel first. Then come back here to compose your post.
compose-connect_accounts = Connect an account
compose-accounts = Post to
compose-needs_reconnection = Needs reconnection before it can publish.
compose-content = Content
compose-caption = Caption
compose-media_ids = Media ids, in order
compose-media_ids_hint = Separate ids with commas. With JavaScript on, choose from your media library instead.
compose-media = Media
compose-selected_media = Chosen media
compose-upload = Upload files
compose-drive_import = Import from Google Drive
compose-library = Media library
compose-per_platform = Per platform
compose-per_platform_hint = Each account uses the caption and media above unless you change them here. Only what the platform supports is offered.
compose-format_label = Format
compose-format_auto = Automatic
compose-title_label = Title
compose-required = required
compose-caption_override = Caption for this account
compose-caption_override_placeholder = Leave empty to use the caption above
compose-link = Link
compose-first_comment = First comment
compose-privacy_label = Who can see it
compose-own_media = Use different media for this account
compose-preview = Preview
compose-when = When
compose-date = Date
compose-time = Time
compose-time_zone = Time zone
compose-when_hint = Needed to schedule. The post goes out at this time in this zone, also across daylight-saving changes.
compose-save_draft = Save draft
compose-schedule = Schedule
compose-publish_now = Publish now
compose-submit_for_approval = Submit for approval
compose-not_editable = This post is being published or has been published, so it can no longer be edited.
compose-counter = { $count } / { $max } characters
compose-counter_over = { $count } / { $max } characters: { $over } too many
compose-shared_caption_hint = { $count } characters; the shortest limit of the chosen accounts is { $max } ({ $platform })
compose-no_issues = Ready: every chosen account accepts this post.
compose-issues_count = Errors: { $errors } · Warnings: { $warnings }
compose-validating = Checking…
compose-media_empty = No media chosen. Pick from the library below or upload files.
compose-library_empty = Your media library is empty. Upload a file to start.
compose-library_error = The media library could not be loaded. Reload the page to try again.
compose-uploading = Uploading { $name }…
compose-uploaded = { $name } was added to the library.
compose-upload_failed = { $name } could not be uploaded: { $reason }
compose-remove_media = Remove
compose-move_up = Move earlier
compose-move_down = Move later
compose-include_media = Use { $name }
compose-preview_empty = Nothing to preview yet.
compose-drive_importing = Importing { $name } from Google Drive…
compose-drive_started = { $name } is being imported; it appears in the library when it is ready.
compose-drive_failed = Google Drive could not be read: { $reason }
compose-drive_empty = No images or videos found in Google Drive.
compose-select_media = Choose { $name }
compose-severity_error = Error
compose-severity_warning = Warning
compose-video = Video
compose-image = Image
compose-tiktok_posting_as = Posting to TikTok as { $name }
compose-tiktok_options_unavailable = TikTok did not say which settings this account offers right now. Reload the page to ask again; Herald also checks when it publishes.
compose-privacy_choose = Choose…
compose-tiktok_privacy_hint = TikTok wants you to choose: there is no default. The choices are the ones this account offers now.
compose-tiktok_allow = Allow viewers to
compose-tiktok_allow_comments = Comment
compose-tiktok_allow_duets = Duet
compose-tiktok_allow_stitches = Stitch
compose-tiktok_interaction_off = turned off in this account's TikTok settings
compose-tiktok_disclose = Disclose commercial content
compose-tiktok_disclose_hint = Turn this on if the video promotes yourself, a brand, a product or a service, then say what it promotes.
compose-tiktok_own_brand = Your brand
compose-tiktok_own_brand_hint = You promote yourself or your own business. TikTok labels the video “Promotional content”.
compose-tiktok_branded = Branded content
compose-tiktok_branded_hint = You promote another brand or a third party. TikTok labels the video “Paid partnership”. Branded content cannot be private.
compose-tiktok_max_duration = This account may post videos of up to { $seconds } seconds.
compose-tiktok_counts_utf16 = TikTok counts emoji and some other symbols as two characters.
compose-tiktok_declaration = By posting, you agree to TikTok's Music Usage Confirmation.
compose-tiktok_declaration_branded = By posting, you agree to TikTok's Branded Content Policy and Music Usage Confirmation.

## compose.format
compose-format-text = Text
compose-format-image = Image
compose-format-carousel = Carousel
compose-format-reel = Reel
compose-format-story = Story
compose-format-video = Video

## compose.privacy
compose-privacy-self_only = Only me
compose-privacy-public_to_everyone = Everyone
compose-privacy-mutual_follow_friends = Friends
compose-privacy-follower_of_creator = Followers
compose-privacy-private = Private
compose-privacy-unlisted = Unlisted
compose-privacy-public = Public

# What the domain reports by code with parameters, in words: rule issues
# (`issue.<code>`), why a target failed (`failure.<code>`), and the units
# and lists their values are written with. `$item` is the media's position,
# or 0 when the post has only one.
## issue
issue-format_unsupported = { $platform } does not take { $format } posts; choose { $offered }.
issue-caption_too_long = The { $platform } caption is { $actual } characters; the limit is { $limit }.
issue-too_many_hashtags = { $platform } allows { $limit } hashtags; this caption has { $actual }.
issue-too_many_mentions = { $platform } allows { $limit } mentions; this caption has { $actual }.
issue-title_required = { $platform } needs a title.
issue-title_too_long = The { $platform } title is { $actual } characters; the limit is { $limit }.
issue-forbidden_character = { $platform } refuses the character “{ $character }” in titles and descriptions.
issue-link_unsupported = { $platform } posts cannot carry a link; put it in the caption.
issue-link_invalid = The link must start with https:// or http://.
issue-first_comment_unsupported = Herald cannot add a first comment on { $platform }.
issue-first_comment_too_long = The first comment is longer than { $platform }'s { $limit } characters.
issue-privacy_invalid =
    { $count ->
        [0] { $platform } posts have no privacy setting.
       *[other] { $platform } privacy must be one of { $choices }.
    }
issue-text_empty = A { $platform } text post needs a message or a link.
issue-story_caption_ignored = { $platform } stories do not show captions.
issue-media_not_allowed = { $platform } text posts take no media; choose another format.
issue-media_count = A { $platform } { $format } takes { $min } to { $max } media files; this one has { $actual }.
issue-media_count_exact =
    A { $platform } { $format } takes exactly { $min ->
        [one] { $min } media file
       *[other] { $min } media files
    }; this one has { $actual }.
issue-media_kind_unsupported =
    { $item ->
        [0] The media
       *[other] Media { $item }
    } is { $kind ->
        [image] an image
       *[video] a video
    } and a { $platform } { $format } takes { $kind ->
        [image] videos only
       *[video] images only
    }.
issue-media_type_unsupported =
    { $item ->
        [0] The media
       *[other] Media { $item }
    } is { $mime }; { $platform } takes { $accepted }.
issue-media_too_large =
    { $item ->
        [0] The media
       *[other] Media { $item }
    } is { $size }; { $platform } takes up to { $limit }.
issue-video_too_short =
    { $item ->
        [0] The media
       *[other] Media { $item }
    } lasts { $duration }; { $platform } needs at least { $min }.
issue-video_too_long =
    { $item ->
        [0] The media
       *[other] Media { $item }
    } lasts { $duration }; { $platform } takes up to { $max }.
issue-duration_unknown =
    { $item ->
        [0] The media
       *[other] Media { $item }
    } has no readable duration; { $platform } may refuse it.
issue-aspect_ratio =
    { $item ->
        [0] The media
       *[other] Media { $item }
    } is { $width }×{ $height } (ratio { $ratio }); { $platform } takes ratios from { $min } to { $max }.
issue-aspect_ratio_not_preferred =
    { $item ->
        [0] The media
       *[other] Media { $item }
    } is { $width }×{ $height }; { $platform } shows vertical 9:16 best, other shapes get cropped or framed.
issue-account_unknown = This account is not connected to the workspace.
issue-media_missing = The media { $media } is not in the library any more.
issue-account_needs_reconnection = { $account } has to be reconnected before it can publish.
issue-provider_unavailable = Publishing to { $platform } is not available here.
issue-caption_too_long_utf16 = The { $platform } caption is { $actual } characters as { $platform } counts them (emoji count twice); the limit is { $limit }.
issue-privacy_required = Choose who can see the { $platform } post: { $platform } allows no default.
issue-privacy_not_offered = This { $platform } account does not offer “{ $privacy }” right now; choose { $choices }.
issue-branded_content_private = Branded content on { $platform } cannot be private; choose who else can see it.
issue-disclosure_incomplete = You turned on the commercial-content disclosure: say whether the { $platform } post promotes your own brand, branded content, or both.
issue-interaction_disabled =
    { $interaction ->
        [comment] Comments are
        [duet] Duets are
       *[stitch] Stitches are
    } turned off in this account's { $platform } settings, so they cannot be allowed here.
issue-video_too_long_for_account =
    { $item ->
        [0] The media
       *[other] Media { $item }
    } lasts { $duration }; this { $platform } account may post videos of up to { $max }.

## failure
failure-platform_said = { $platform } said: { $detail }
failure-platform_said_missing_scopes = { $platform } said: { $detail } Missing permissions: { $scopes }.
failure-platform_kept_refusing =
    { $platform } still refused after { $attempts ->
        [one] { $attempts } attempt
       *[other] { $attempts } attempts
    }: { $detail }
failure-platform_unconfirmed = { $platform } never confirmed whether it published ({ $detail }).
failure-account_removed = { $account } was removed from the workspace.
failure-media_deleted = The media { $media } was deleted from the library.
failure-variant_unreadable = The saved post could not be read: { $detail }
failure-progress_unreadable = Its saved publishing progress could not be read, so it was not started over (that could post it twice): { $detail }
failure-account_kind_unknown = Unknown account kind { $kind }.
failure-provider_unavailable = Publishing to { $platform } is not available in this deployment.
# TikTok publishing (herald_platforms::publish::tiktok::HINTS)
failure-tiktok_account_must_be_private = TikTok refused the post because this server's TikTok app has not passed TikTok's audit yet: until then TikTok only takes posts to accounts that are private at the time of posting, and shows them only to the creator. Make the TikTok account private (in the TikTok app: Settings and privacy → Privacy → Private account) and retry, or ask your administrator to have the app audited by TikTok.
failure-tiktok_active_user_cap = This server's TikTok app has not passed TikTok's audit yet, and TikTok lets such an app post for at most 5 accounts a day; that many have posted today. Nothing to do now. To lift the limit, your administrator can have the app audited by TikTok.
failure-tiktok_daily_post_cap = This TikTok account has reached TikTok's daily limit of posts made through apps. Nothing to do now.
failure-tiktok_user_banned = TikTok does not let this account make new posts at the moment. Check the account in the TikTok app.
failure-tiktok_privacy_required = Choose who can see the TikTok post and retry: TikTok allows no default. This account offers: { $offered }.
failure-tiktok_privacy_not_offered = TikTok does not offer “{ $privacy }” for this account right now (it offers: { $offered }). The account's privacy may have changed: choose again in the post's TikTok settings and retry.
failure-tiktok_branded_content_private = Branded content cannot be posted privately on TikTok. Choose who else can see it and retry.
failure-tiktok_video_too_long = The video is longer than this TikTok account may post ({ $max_seconds } seconds). Shorten it and retry.
failure-tiktok_caption_too_long = The caption is { $actual } characters as TikTok counts them (emoji count twice); TikTok takes up to { $limit }. Shorten it and retry.
failure-tiktok_processing_timeout = TikTok got the whole video but was still processing it when Herald stopped waiting, after { $minutes } minutes. Look for the video in the TikTok app: if it is there, it went out. A retry checks with TikTok first and never posts twice.

# YouTube publishing (issue 20): what YouTube did with an upload. `$reason`
# is YouTube's own code, `$video` the video's id on YouTube.
failure-youtube_rejected =
    YouTube rejected the video: { $reason ->
        [claim] a rights holder blocked it.
        [copyright] copyright infringement.
        [duplicate] it duplicates a video already on the channel.
        [inappropriate] inappropriate content.
        [legal] a legal reason.
        [length] it is too long for this channel.
        [termsOfUse] it breaks YouTube's terms of use.
        [trademark] trademark infringement.
        [uploaderAccountClosed] the channel's account was closed.
        [uploaderAccountSuspended] the channel's account is suspended.
       *[other] { $reason }.
    } The rejected video stays on the channel (ID { $video }); delete it in YouTube Studio if you like. Retrying with the same file is refused the same way, so pick another file first.
failure-youtube_failed =
    YouTube could not process the video: { $reason ->
        [codec] it uses a codec YouTube does not accept.
        [conversion] it could not be converted.
        [emptyFile] the file is empty.
        [invalidFile] it is not a video file YouTube can read.
        [tooSmall] the file is too small.
        [uploadAborted] the upload was cut off.
        [uploadFailed] the upload failed.
        [transcodeFailed] it could not be transcoded.
        [streamingFailed] it could not be prepared for streaming.
        [terminated] processing was stopped.
       *[other] { $reason }.
    } The failed video stays on the channel (ID { $video }). Export the video again (H.264 in an MP4 works everywhere), replace it in the post and retry.
failure-youtube_deleted = The video (ID { $video }) was deleted from the channel before YouTube finished processing it. Retry to upload it again.
failure-youtube_locked_private = YouTube made the video private although it was to be { $requested ->
        [unlisted] unlisted
       *[other] public
    } (ID { $video }): this Herald's Google Cloud project has not passed YouTube's API audit, so YouTube locks every upload through it to private. Ask whoever runs this Herald to get the project audited; until then the video cannot be made public in YouTube Studio either.
failure-youtube_still_processing = YouTube was still processing the video (ID { $video }) after { $minutes } minutes, so Herald stopped watching. It is on the channel; check YouTube Studio for whether it finished.
failure-youtube_upload_budget_spent = This Herald may upload { $limit } videos to YouTube per day, for every workspace together, and today's are used up. YouTube's day ends at midnight Pacific time.
failure-youtube_quota_exceeded = YouTube's daily upload quota for this Herald is used up. It resets at midnight Pacific time.
failure-youtube_check_quota_exceeded = The video is uploaded (ID { $video }), but YouTube's daily quota for this Herald is used up, so Herald cannot check yet whether YouTube accepted it. The quota resets at midnight Pacific time.
failure-youtube_channel_upload_limit = The channel reached the number of videos YouTube lets it upload per day.

# Meta permissions and webhook subscriptions (herald_platforms::meta::HINTS).
failure-first_comment_missing_permission = The post is up, but { $platform } did not let Herald post its first comment: the connection lacks the permission { $scopes }. Post the comment yourself on { $platform }, and reconnect the account allowing comments to be managed so the next first comment goes through.

## unit
unit-megabytes = { $n } MB
unit-gigabytes = { $n } GB
unit-minutes = { $n } min
unit-seconds = { $n } s
unit-instant_utc = { $year }-{ $month }-{ $day } { $hour }:{ $minute } UTC

## list
list-or = { $first } or { $last }

# Notifications, stored as a code with parameters (`notice.<code>`).
## notice
notice-comment =
    { $count ->
        [one] New comment{ $author_kind ->
            [handle] { " " }from @{ $author }
            [name] { " " }from { $author }
           *[none] { "" }
        } on { $account }{ $quote_kind ->
            [some] : “{ $quote }”
           *[none] { "" }
        }
       *[other] { $count } new comments on { $account }
    }
notice-mention =
    { $count ->
        [one] { $account } was mentioned
       *[other] { $account } was mentioned { $count } times
    }
notice-message =
    { $count ->
        [one] New message on { $account }{ $quote_kind ->
            [some] : “{ $quote }”
           *[none] { "" }
        }
       *[other] { $count } new messages on { $account }
    }
notice-story_insights =
    { $count ->
        [one] Story insights arrived for { $account }
       *[other] Story insights arrived for { $count } stories of { $account }
    }
notice-news = News for { $account }
notice-delivery_dead = A Meta webhook delivery (#{ $delivery }) failed every attempt and was set aside: { $error }
notice-connection_revoked = Access to { $account } was removed on { $app }. Reconnect it to keep publishing.
notice-connection_deleted = { $account } was removed from this workspace at its owner's request (data deletion on { $app }).
notice-endpoint_gone = The webhook endpoint at { $host } was disabled: it answered 410 Gone.
notice-endpoint_failing =
    The webhook endpoint at { $host } was disabled: its deliveries have been failing for { $days ->
        [one] { $days } day
       *[other] { $days } days
    }.
notice-endpoint_exhausted = A webhook to { $host } failed every attempt and was given up; you can replay it from the delivery log.
notice-review_requested = { $by } asks you to approve a post: “{ $post }”
notice-review_approved = { $by } approved your post “{ $post }”.
notice-review_changes_requested = { $by } asked for changes to your post “{ $post }”.
notice-review_held = “{ $post }” did not go out: its time came while it still waited for approval.
notice-post_mention = { $by } mentioned you in a comment on “{ $post }”.

# Outbound webhooks: endpoints a workspace registers for Herald's events.
## endpoints
endpoints-title = Outbound webhooks
endpoints-lead = Send Herald's events — a post went live, a post failed, an account must be reconnected — to your own systems, signed the Standard Webhooks way.
endpoints-back_to_webhooks = Incoming webhook history
endpoints-list_heading = Endpoints
endpoints-empty_title = No endpoints yet
endpoints-empty_body = An endpoint is an https address of yours that Herald calls with a signed JSON message whenever a chosen event happens. Failed deliveries are retried for about 28 hours, and every attempt is logged here with a replay button. Add your first endpoint below.
endpoints-url = Endpoint URL
endpoints-url_hint = A public https address that answers with a 2xx status. Redirects are not followed.
endpoints-description = Description (optional)
endpoints-events = Event types
endpoints-events_hint = Tick none to receive every event type, including ones added later.
endpoints-all_events = All event types
endpoints-status = Status
endpoints-enabled = Enabled
endpoints-disabled = Disabled
endpoints-failing_since = Failing since
endpoints-created = Added
endpoints-times_in = Times in
endpoints-create_heading = Add an endpoint
endpoints-create = Add endpoint
endpoints-verify_heading = Verifying Herald's signature
endpoints-verify_body = Every message is a POST with a JSON body and three headers, per the Standard Webhooks specification (standardwebhooks.com), so its libraries can verify it:
endpoints-verify_id = the message id; the same on every retry, so you can ignore duplicates.
endpoints-verify_timestamp = when the attempt was sent, in Unix seconds; refuse messages more than 5 minutes off.
endpoints-verify_signature = v1, followed by the base64 HMAC-SHA256 of "webhook-id.webhook-timestamp.body"; during a secret rotation there are two, separated by a space, and one matching is enough.
endpoints-verify_steps = The key is the base64 part of your whsec_ secret, decoded. Compute the HMAC over the raw body bytes, not a re-encoded copy, and compare in constant time.
endpoints-verify_retries = Only a 2xx answer counts as delivered. Herald retries after 5 seconds, 5 minutes, 30 minutes, 2, 5, 10 and 10 hours, honours Retry-After, stops for good on 410 Gone and disables an endpoint that has failed for 5 days.
endpoints-detail_title = Webhook endpoint
endpoints-back_to_list = All endpoints
endpoints-back_to_endpoint = Back to the endpoint
endpoints-settings = Endpoint
endpoints-enable = Enable
endpoints-disable = Disable
endpoints-send_test = Send test event
endpoints-reveal_secret = Reveal secret
endpoints-rotate_secret = Rotate secret
endpoints-rotate_confirm = Make a new signing secret? The current one keeps working for 24 hours.
endpoints-rotate_hint = Rotating makes a new secret at once; the old one keeps signing alongside it for 24 hours, so you can switch your receiver over without losing messages.
endpoints-secret_new = Signing secret
endpoints-secret_once = Copy it now: this is the only time Herald shows it without asking. Anyone with this secret can forge messages from Herald, so keep it with your other credentials.
endpoints-secret_current = Signing secrets
endpoints-secret_current_note = This is the secret your receiver verifies with. Keep it with your other credentials.
endpoints-secret_previous_note = The first is the current secret; the one after it is the previous secret, still signing alongside until its 24 hours run out.
endpoints-secret_rotated = New signing secret
endpoints-secret_rotated_note = Copy it now and update your receiver. The old secret keeps working for 24 hours: until then every message carries two signatures.
endpoints-log_heading = Delivery log
endpoints-filter_state = State
endpoints-state_all = All states
endpoints-filter = Show
endpoints-log_empty_title = Nothing delivered yet
endpoints-log_empty_body = Deliveries appear here as soon as a subscribed event happens. Send a test event to check your receiver.
endpoints-select = Select
endpoints-event_column = Event type
endpoints-message_id = Message id
endpoints-state_column = State
endpoints-attempts = Attempts
endpoints-last_result = Last result
endpoints-next_attempt = Next attempt
endpoints-replay_selected = Replay selected
endpoints-replay_since = Replay failed deliveries since
endpoints-replay_failed = Replay failed
endpoints-replay_since_hint = Every dead or retrying delivery created at or after this time gets a new attempt. Time zone:
endpoints-edit_heading = Change the endpoint
endpoints-save = Save changes
endpoints-delete_heading = Delete the endpoint
endpoints-delete_confirm = Yes, delete this endpoint and its delivery log. Nothing more is sent to it.
endpoints-delete = Delete endpoint
endpoints-delivery_title = Webhook delivery
endpoints-replay = Replay
endpoints-replay_hint = Sends the same message again (same webhook-id) as a new attempt, recorded below.
endpoints-attempts_heading = Attempts
endpoints-no_attempts = No attempt has been made yet; the first is on its way.
endpoints-attempt_at = Sent
endpoints-http_status = HTTP status
endpoints-duration = Duration
endpoints-error = Error
endpoints-response = Response (first 1 KiB)
endpoints-replayed_by = Replayed by
endpoints-payload = Payload
endpoints-former_member = A former member

## endpoints.done
endpoints-done-created = Endpoint added. Herald sends it the chosen events from now on.
endpoints-done-updated = Endpoint saved.
endpoints-done-enabled = Endpoint enabled. New events are delivered again.
endpoints-done-disabled = Endpoint disabled. Nothing is sent to it until you enable it again.
endpoints-done-rotated = A new secret is in use.
endpoints-done-test_sent = Test event queued. It appears in the log below with its result.
endpoints-done-deleted = Endpoint deleted.
endpoints-done-replayed = Replay queued: a new attempt is on its way.
endpoints-done-nothing_replayed = There was nothing to replay. Deliveries to a disabled endpoint are replayed only once it is enabled again.

## endpoints.disabled_reason
endpoints-disabled_reason-gone = The endpoint answered 410 Gone, so Herald stopped sending to it.
endpoints-disabled_reason-failing = Every delivery failed for 5 days, so Herald stopped sending to it.
endpoints-disabled_reason-manual = Disabled by a person in this workspace.

## endpoints.state
endpoints-state-pending = Pending
endpoints-state-succeeded = Delivered
endpoints-state-retrying = Retrying
endpoints-state-dead = Failed

## endpoints.event
endpoints-event-post-published = A post went live on a platform.
endpoints-event-post-failed = A post could not be published on a platform.
endpoints-event-connection-needs_reconnection = A connected account must be reconnected.
endpoints-event-connection-revoked = Access to a connected account was removed on the platform.
endpoints-event-webhook-endpoint_test = A test message sent from Herald.
endpoints-event-notification-raised = A notification was raised for the workspace's members (its kind, code and parameters).

# Incoming webhooks: the history of Meta's deliveries, their attempts and replay.
## webhooks
webhooks-title = Webhooks
webhooks-lead = Every event Meta sent for this workspace's accounts: verified, stored and processed, with each attempt and a replay button.
webhooks-outbound_link = Outbound endpoints
webhooks-filters = Filter deliveries
webhooks-status_label = Status
webhooks-any = Any
webhooks-object = Object
webhooks-field = Field
webhooks-fields = Fields
webhooks-from = Received from
webhooks-to = Received before
webhooks-search = Text in the payload
webhooks-search_hint = An id, a user name or words of a comment.
webhooks-zone_note = Times are shown, and read, in { $zone }.
webhooks-apply = Filter
webhooks-clear = Clear filters
webhooks-empty_title = No events received yet
webhooks-empty_body = When Meta sends an event for an account connected to this workspace (a comment, a mention, a message, story insights), it appears here with its processing status.
webhooks-empty_filtered_title = No deliveries match
webhooks-empty_filtered_body = Try a wider time range or fewer filters.
webhooks-table_caption = Deliveries, newest first
webhooks-select = Select
webhooks-received = Received
webhooks-entry_ids = Account ids
webhooks-attempts = Attempts
webhooks-last_error = Last error
webhooks-replay_selected = Replay selected
webhooks-newest = Newest
webhooks-older = Older deliveries
webhooks-replay_failed_heading = Replay failed deliveries
webhooks-replay_failed_hint = Every delivery that failed or waits for a retry, received at or after this time, gets a new attempt now.
webhooks-replay_since = Received since
webhooks-replay_failed = Replay all failed
webhooks-notifications_link = Choose which notifications you get
webhooks-detail_title = Delivery
webhooks-back = All deliveries
webhooks-processed = Processed
webhooks-entries = Entries
webhooks-size = Size
webhooks-replay = Replay
webhooks-routes = Routed to
webhooks-no_routes = No account connected to this workspace matches this delivery's entries.
webhooks-attempts_heading = Attempts
webhooks-no_attempts = No attempt yet: the first one is queued.
webhooks-trigger = Trigger
webhooks-started = Started
webhooks-finished = Finished
webhooks-outcome_label = Result
webhooks-summary = What was applied
webhooks-summary_comments =
    { $n ->
        [one] { $n } comment
       *[other] { $n } comments
    }
webhooks-summary_mentions =
    { $n ->
        [one] { $n } mention
       *[other] { $n } mentions
    }
webhooks-summary_messages =
    { $n ->
        [one] { $n } message
       *[other] { $n } messages
    }
webhooks-summary_insights =
    { $n ->
        [one] { $n } story insights update
       *[other] { $n } story insights updates
    }
webhooks-summary_removed =
    { $n ->
        [one] { $n } removal
       *[other] { $n } removals
    }
webhooks-summary_ignored = { $n } ignored
webhooks-summary_unrouted = no connected account for { $ids }
webhooks-summary_unrouted_more = no connected account for { $ids } and { $more } more
webhooks-summary_nothing = nothing to apply
webhooks-summary_succeeded = applied
webhooks-summary_retrying = failed; another attempt is scheduled
webhooks-summary_dead = failed; no further attempt is scheduled
webhooks-error = Error
webhooks-trigger_automatic = Automatic
webhooks-trigger_replay_by = Replayed by { $name }
webhooks-trigger_replay = Replayed by a former member
webhooks-headers = Headers
webhooks-headers_hint = As received. Signatures, cookies and authorisation values are masked.
webhooks-header_name = Name
webhooks-header_value = Value
webhooks-payload = Payload
webhooks-payload_hint = The body as Meta sent it, indented for reading.

## webhooks.status
webhooks-status-received = Received
webhooks-status-processed = Processed
webhooks-status-retrying = Retrying
webhooks-status-dead = Failed

## webhooks.outcome
webhooks-outcome-running = Running
webhooks-outcome-succeeded = Succeeded
webhooks-outcome-failed = Failed

## webhooks.done
webhooks-done-replayed = Queued for replay: { $count }.
webhooks-done-replay_queued = Replay queued. The new attempt is listed below once it has run.

# In-app notifications and each person's choice of them.
## notifications
notifications-title = Notifications
notifications-lead = What happened on your connected accounts and to this workspace's webhooks.
notifications-settings_link = Notification settings
notifications-empty_title = No notifications
notifications-empty_body = New comments, mentions and messages, failed webhook deliveries and removed connections show up here.
notifications-mark_all_read = Mark all read
notifications-unread = unread
notifications-new = New
notifications-open = Open
notifications-settings_title = Notification settings
notifications-settings_lead = Choose which notifications you get in this workspace. Other members choose their own.
notifications-settings_legend = Notify me about
notifications-workspace = Workspace
notifications-save = Save
notifications-view_all = Show my notifications
notifications-from_settings = Notification settings for this workspace

## notifications.kind
notifications-kind-comment = Comments
notifications-kind-mention = Mentions
notifications-kind-message = Direct messages
notifications-kind-story_insights = Story insights
notifications-kind-delivery_dead = Failed webhook deliveries
notifications-kind-connection_revoked = Removed connections
notifications-kind-endpoint_failing = Failing outbound endpoints
notifications-kind-approval = Approvals
notifications-kind-post_mention = Mentions by teammates

## notifications.describe
notifications-describe-comment = A new comment on a post of a connected account.
notifications-describe-mention = A connected account was mentioned in a post or a comment.
notifications-describe-message = A direct message to a connected account.
notifications-describe-story_insights = A story's insights arrived after it expired. Off unless you turn it on.
notifications-describe-delivery_dead = An event from Meta failed every attempt and waits for a replay.
notifications-describe-connection_revoked = Someone removed Herald's access on Facebook or Instagram.
notifications-describe-endpoint_failing = One of this workspace's outbound webhook endpoints was disabled or ran out of retries.
notifications-describe-approval = A post waits for your approval, your post was approved or needs changes, or a post was held because it was not approved in time.
notifications-describe-post_mention = A teammate mentioned you in a comment on a post.

## notifications.done
notifications-done-all_read = All notifications are marked read.
notifications-done-saved = Your notification settings were saved.

# The public status page of a Meta data-deletion request.
## deletion
deletion-title = Data deletion request
deletion-lead = Meta passed on a request to delete the data Herald obtained through a Facebook or Instagram connection. This page shows how far it has got.
deletion-code = Confirmation code
deletion-state_label = Status
deletion-requested = Requested
deletion-completed = Completed
deletion-not_yet = Not yet
deletion-connections_removed = Connected accounts removed
deletion-items_removed = Comments, mentions, messages and insights removed
deletion-find_lead = Enter the confirmation code Facebook or Instagram gave you to see how your deletion request is progressing.
deletion-find = Show status
deletion-unknown_code = No deletion request has this confirmation code. Check the code and try again.
deletion-privacy_link = Privacy notice
deletion-lookup_link = Check the status of a data-deletion request

## deletion.state
deletion-state-received = Received
deletion-state-in_progress = In progress
deletion-state-completed = Completed

## deletion.explain
deletion-explain-received = The request is recorded; the deletion starts shortly.
deletion-explain-in_progress = The data is being deleted now.
deletion-explain-completed = The data Herald held through that connection has been deleted. Copies in the operator's backups disappear as the operator replaces those backups.

# How long each kind of data is kept: rendered from the code's retention
# policy (herald::retention::policy), so the notice and the job agree.
## retention
retention-account = Your account and workspace content: until you delete them.
retention-platform_tokens = Platform tokens: until you disconnect the account or the platform revokes them.
retention-webhook_deliveries = Received platform events and delivery logs: { $period }.
retention-mail = Mail Herald sent you: { $period }; the links in our copy stop working as soon as it is sent.
retention-sessions = Sign-in sessions: until you sign out or they time out ({ $idle } unused, { $max } at most).
retention-devices = Apps and devices you signed in with: until you sign them out ({ $idle } unused, { $max } at most).
retention-verify_links = E-mail confirmation links: until used, { $period } at most.
retention-reset_links = Password-reset links: until used, { $period } at most.
retention-invitations = Invitations: until accepted, { $period } at most.
retention-connect_attempts = Platform connections being set up: { $period }.
retention-audit = The audit log: { $period }.
retention-exports = Downloads of your data: { $period }, then the archive is deleted.
retention-deleted_accounts = An account you asked us to delete: { $period } in which you can change your mind, then it is deleted, with the workspaces you chose to delete and those nobody else works in.

## time
time-minutes =
    { $n ->
        [one] { $n } minute
       *[other] { $n } minutes
    }
time-hours =
    { $n ->
        [one] { $n } hour
       *[other] { $n } hours
    }
time-days =
    { $n ->
        [one] { $n } day
       *[other] { $n } days
    }

# Settings → Platform review.
## review
review-title = Platform review
review-lead = What each platform's app registration and review need from this instance: the addresses to enter, every permission Herald asks for and why, and live checks of what a reviewer will try.
review-instance = This instance
review-ok = Ready
review-todo = To do
review-check_mode = Mode
review-mode_production = Production mode: development conveniences are off.
review-mode_development = Development mode: generated secrets and development pages are on. Reviewers must see a production instance (HERALD_MODE=production).
review-check_privacy = Privacy notice
review-check_terms = Terms
review-check_deletion_page = Data-deletion status page
review-probe_ok = { $url } answers over https.
review-probe_not_https = { $url } answers, but not over https; platforms only accept https addresses. Put Herald behind TLS and set HERALD_PUBLIC_URL to its https address.
review-probe_status = { $url } answered with status { $status }.
review-probe_timeout = { $url } did not answer in time.
review-probe_unreachable = { $url } could not be reached from this server. Check HERALD_PUBLIC_URL and your proxy.
review-check_operator = Operator named
review-operator_missing = The privacy notice and terms do not say who runs this instance. Set HERALD_OPERATOR_NAME and HERALD_OPERATOR_CONTACT.
review-check_credentials = App credentials
review-credentials_set = The app id and secret are set.
review-credentials_sandbox = Not set: this platform connects to the built-in sandbox.
review-credentials_missing = Not set: this platform is not offered.
review-check_verify_token = Webhook verify token
review-verify_token_set = Set (HERALD_META_VERIFY_TOKEN); enter the same value in the app's webhook settings.
review-verify_token_missing = Not set: Meta's subscription handshake is refused. Set HERALD_META_VERIFY_TOKEN.
review-status_real = Real app
review-status_sandbox = Sandbox
review-status_off = Not offered
review-app_facebook = Facebook Login (Facebook Pages and their Instagram accounts)
review-app_instagram = Instagram Login (Instagram without a Page)
review-app_tiktok = TikTok Login Kit and Content Posting
review-app_youtube = Google OAuth for YouTube
review-urls = Addresses to enter
review-url_redirect = OAuth redirect URI
review-url_privacy = Privacy policy URL
review-url_terms = Terms of service URL
review-url_webhook = Webhook callback URL
review-url_deauthorize = Deauthorize callback URL
review-url_data_deletion = Data deletion request URL
review-url_deletion_status = Data deletion status page
review-permissions = Permissions Herald asks for
review-permission = Permission
review-needed = Needed
review-used_for = What uses it
review-required = Required
review-optional = Optional
review-testers = Testing before review
review-testers_meta = While the app is in development mode only people with a role on it can connect: add them under App roles (Instagram accounts as Instagram testers, who accept the invitation in their Instagram settings). Connect a test Page and Instagram account here, publish a post, and record each permission in use for the review.
review-testers_tiktok = Until the app passes TikTok's audit, every direct post is private (SELF_ONLY), at most 5 people can post in 24 hours, and their accounts must be private when they post. Connect a private test account here and publish a private video for the review recording.
review-testers_google = While the OAuth consent screen is in testing, only listed test users can connect and their refresh tokens expire after 7 days. Add test users, connect a channel here and upload a video; the scopes marked sensitive or restricted need Google's verification before you publish the app.
review-guide = Step by step: docs/connectors/{ $file }.md in Herald's repository.

## review.purpose
review-purpose-list_pages = Lists the Facebook Pages you can publish to, so you pick which to connect.
review-purpose-read_pages = Reads each Page's name and picture, and its recent posts to see what an interrupted attempt already published.
review-purpose-publish_pages = Publishes posts, photos and videos to the Page.
review-purpose-read_instagram = Reads the Instagram professional account's name, picture and media, to connect it and check what an interrupted attempt already published.
review-purpose-publish_instagram = Publishes photos, videos, reels and carousels to the Instagram account.
review-purpose-business_pages = Lists Pages that a business portfolio owns, so they can be connected too.
review-purpose-insights = Reads the insights of the account and its posts (views, reach, interactions, followers) for the analytics pages, and receives the insights of stories that Meta sends as webhooks.
review-purpose-comments = Receives comments and mentions as webhooks, and posts a post's first comment.
review-purpose-identify_tiktok = Reads the TikTok account's id, display name and avatar to connect it.
review-purpose-publish_tiktok = Posts videos directly to the TikTok account.
review-purpose-tiktok_username = Reads the account's @username to show which account is connected.
review-purpose-publish_youtube = Uploads videos to the channel.
review-purpose-list_channels = Lists the channels of the Google account, and checks what an interrupted upload already published.
review-purpose-identify_google = Identifies the Google account, so connecting it again updates the same connection.
review-purpose-drive_import = Imports media files you pick from your Google Drive into the media library.
review-purpose-engage_pages = Posts a Facebook post's first comment as the Page, and replies to, hides and deletes comments on the Page's posts from the inbox.
review-purpose-webhooks = Switches on Meta's webhooks for the Page and its Instagram account (subscribed_apps), so comments, mentions and messages reach the inbox. Without it Meta sends Herald nothing; publishing still works.
review-purpose-business_roles = Only needed when your role on a Page comes through a business portfolio (Business Manager): Meta then also asks for it before Herald may act for the Page and its Instagram account. Herald reads no ads data.
review-purpose-messages = Answers direct messages and sends private replies to comments from the inbox, within the platform's messaging window.
review-purpose-engage_youtube = Reads the comments on the channel's videos, replies to them and holds them for review from the inbox.
review-purpose-tiktok_insights = Reads the account's follower, like and video counts and each video's views, likes, comments and shares, for analytics.
review-purpose-youtube_insights = Reads the channel's YouTube Analytics reports (views, watch time, subscribers gained and lost), for analytics.

# Settings → Your data.
## data
data-title = Your data
data-lead = What you agreed to, a copy of everything this instance holds about you, and deleting your account.
data-consents = What you agreed to
data-no_consents = No consent is recorded for this account: it was created before consent records were kept.
data-document = Document
data-version = Version
data-accepted = Accepted
data-document_privacy = Privacy notice
data-document_terms = Terms
data-export = Download my data
data-export_body = An archive (ZIP) with your account, your consents, sign-ins and devices, your activity log and notifications, and every workspace you own: its posts with every publishing attempt, connected accounts (never their tokens), webhook endpoints (never their secrets), and its media files. We mail you when it is ready; it can be downloaded for 7 days.
data-export_submit = Prepare my archive
data-requested = Requested
data-state = State
data-expires = Available until
data-download = Download
data-export_pending = Being prepared
data-export_ready = Ready
data-export_failed = Failed: ask again
data-delete = Delete my account
data-delete_body = Your account is deleted { $days ->
        [one] { $days } day
       *[other] { $days } days
    } after you ask: until then you can sign in and cancel. You are signed out everywhere at once. Then your account, sign-ins, devices and memberships are deleted, and so is every workspace below that goes with it.
data-solo = These workspaces have nobody else in them and are deleted with your account:
data-kept = These workspaces have another owner and stay; you leave them:
data-shared = { $name } is shared with others and you are its only owner:
data-hand_over_to = Hand it over to { $name } (they become an owner)
data-delete_workspace_choice = Delete it with everything in it
data-confirm_password = Your password, to confirm
data-delete_submit = Delete my account
data-pending = Your account will be deleted on { $date }. Until then you can cancel.
data-cancel_deletion = Keep my account
data-scheduled_title = Your account will be deleted
data-scheduled_lead = Your account will be deleted on { $date }.
data-scheduled_body = You have been signed out everywhere. If you change your mind before then, sign in and choose “Keep my account” under Settings → Your data. We have sent you an e-mail about it.
data-scheduled_login = Sign in to cancel

## data.done
data-done-export_requested = Your archive is being prepared. We mail you when it is ready.
data-done-deletion_cancelled = Your account will not be deleted.
data-done-nothing_to_cancel = No deletion was scheduled.

## mail.deletion_scheduled
mail-deletion_scheduled-subject = Your Herald account will be deleted on { $date }
mail-deletion_scheduled-body = You asked to delete your Herald account. It will be deleted on { $date }, with the workspaces you chose to delete. Until then you can sign in and keep it under Settings → Your data. If it was not you, sign in and cancel at once, then change your password.
mail-deletion_scheduled-action = Sign in to cancel

## mail.export_ready
mail-export_ready-subject = Your Herald data is ready to download
mail-export_ready-body = The archive of your data you asked for is ready. Download it from Settings → Your data within 7 days; after that it is deleted.
mail-export_ready-action = Download my data

## Access tokens (personal, app and assistant tokens with scopes)
error-insufficient_scope = This token’s scopes do not allow that. Make a token with the scope this needs, or use your own sign-in.
error-token_scope_beyond_role = Your role does not allow a token with these scopes. A token can never do more than you may.
error-token_name_required = Give the token a name, for example the app or assistant that will use it.
error-token_name_too_long = Keep the token’s name to 100 characters or fewer.
error-token_name_taken = You already have a token with that name in this workspace. Choose another name, or revoke the old token first.
error-token_kind_unknown = The token kind must be personal, app or assistant.
error-token_scope_unknown = One of the scopes does not exist. Choose from the listed scopes.
error-token_scope_duplicate = A scope is listed twice. Name each scope once.
error-token_scopes_required = Choose at least one scope. Only assistant tokens have default scopes.
error-token_scope_not_for_assistants = An assistant token can never approve posts. Leave posts:approve out.
error-token_expiry_past = The expiry date has already passed. Choose a date in the future, or none.
error-token_expiry_invalid = Enter the expiry as a date, such as 2027-01-31.
settings-done-token_revoked = The token was revoked. It stopped working at once.
tokens-title = Access tokens
tokens-lead = Tokens let apps, scripts and AI assistants use Herald’s API in this workspace, with only the scopes you choose and never more than your role allows now. They stop working when they expire, when you revoke them, or when you leave the workspace.
tokens-empty = No tokens yet.
tokens-name = Name
tokens-kind = Kind
tokens-scopes = Scopes
tokens-expires = Expires
tokens-creator = Made by
tokens-never = never
tokens-expired = expired
tokens-new = New token
tokens-scopes_hint = An assistant token without ticked scopes gets the defaults: read accounts, posts and analytics, write drafts, upload media. It never approves, and publishes only if you tick posts:write.
tokens-expires_on = Expires after (optional)
tokens-expires_hint = The token works through this day (UTC). Leave it empty for a token that does not expire.
tokens-create = Create token
tokens-kind-personal = Personal
tokens-kind-app = App
tokens-kind-assistant = Assistant
tokens-kind_hint-personal = for your own scripts
tokens-kind_hint-app = for an application working in this workspace
tokens-kind_hint-assistant = for an AI agent; its actions are logged as made through it on your behalf
tokens-scope-accounts_read = see the connected accounts
tokens-scope-posts_read = see posts, their results and the media library
tokens-scope-drafts_write = write drafts
tokens-scope-posts_write = write, schedule, publish, cancel and delete posts
tokens-scope-posts_approve = approve posts or ask for changes
tokens-scope-media_write = upload media (deleting it also needs posts:write)
tokens-scope-analytics_read = read analytics
tokens-scope-webhooks_manage = see webhook deliveries and manage webhook endpoints
tokens-scope-inbox_read = read the engagement inbox: comments, mentions and messages
tokens-scope-inbox_write = assign inbox items, write notes and mark them done
tokens-scope-inbox_reply = answer, hide and delete comments and messages in the accounts' name
tokens-created_title = Your new token
tokens-secret = The token
tokens-secret_once = Copy it now and keep it somewhere safe: it is shown only this once. Herald keeps only a fingerprint of it.
tokens-secret_use = Send it as “Authorization: Bearer …”. It acts only in this workspace.
tokens-back = Back to the settings
audit-via = { $kind ->
    [personal] via the personal token “{ $name }” on behalf of { $actor }
    [app] via the app “{ $name }” on behalf of { $actor }
   *[assistant] via the assistant “{ $name }” on behalf of { $actor }
}
retention-access_tokens = Access tokens for apps and assistants: until they are revoked or expire, or you leave the workspace.
## api_docs (the API reference page, /docs/api)
api_docs-title = API reference
api_docs-lead = Every route of Herald's JSON API, read from the same OpenAPI 3.1 document programs can download. Descriptions of routes and fields come from the code and are in English.
api_docs-download = OpenAPI document (JSON)
api_docs-version = Version
api_docs-basics = Before you start
api_docs-auth_title = Signing in
api_docs-auth_body = Send an access token as “Authorization: Bearer …” (get one from POST /api/auth/token), or use your browser session; with the session, every request that changes something also sends the session's CSRF token in the x-csrf-token header.
api_docs-workspace_title = Workspaces
api_docs-workspace_body = Whatever lives in a workspace is addressed with ?workspace=ID (or the {"{"}ws{"}"} part of the path); without it, your first workspace is used. A workspace you are not a member of answers 404, just like something that does not exist.
api_docs-errors_title = Errors
api_docs-errors_body = Every refusal has the same body: a stable code and a message in your language. A JSON body that does not fit the route is answered 422 invalid_body, with field (where in the body) and expected (what was wrong there). Answers with 429 say in Retry-After when to try again.
api_docs-contents = Contents
api_docs-schemas = Schemas
api_docs-parameters = Parameters
api_docs-body = Request body
api_docs-responses = Responses
api_docs-field = Field
api_docs-name = Name
api_docs-in = In
api_docs-type = Type
api_docs-description = Description
api_docs-status = Status
api_docs-required = required
api_docs-public = No sign-in needed
api_docs-bearer_or_session = Bearer token or session
api_docs-session_only = Browser session only
api_docs-values = One of
api_docs-variants = One of these shapes:
api_docs-example = Example
settings-api_title = API and apps
settings-api_body = Programs can do what you do here through Herald's JSON API, signed in with an access token. The reference lists every route, what it takes and what it answers.
settings-api_link = Open the API reference
public-api = API

## mcp (the assistants' tools at /mcp)
error-invalid_arguments = An argument of the tool call is not what the tool takes; `field` names it and `expected` says what was wrong.

# Notifications through channels, mail and the weekly digest.
## notify
unit-instant_zoned = { $year }-{ $month }-{ $day } { $hour }:{ $minute } { $zone }
unit-date = { $year }-{ $month }-{ $day }
notice-post_failed = “{ $post }” could not be published on { $platform } ({ $account }): { $reason }
notice-post_unconfirmed = { $platform } did not confirm whether “{ $post }” went out on { $account }. Check the account before you send it again.
notice-connection_reconnect = { $account } on { $platform } has to be connected again: Herald can no longer publish to it.
notice-digest =
    Your week: { $published ->
        [one] 1 post published
       *[other] { $published } posts published
    } ({ $published_before } the week before), { $failed } failed, { $awaiting } waiting for approval, { $scheduled } scheduled. Next: { $next }
notice-reason-reconnect = the account has to be connected again
notice-reason-reconsent = Herald lacks a permission on the account
notice-reason-rejected = the platform refused the post
notice-reason-invalid = the post does not meet the platform's rules
notice-reason-quota = the platform's limit was reached
notice-reason-unavailable = the platform kept failing
notice-reason-unconfirmed = the platform did not confirm
notice-reason-misconfigured = the platform app is set up wrong
notice-reason-media_missing = its media is gone
notice-reason-disconnected = the account was removed
notice-next-fix_failed = look at what failed and send it again.
notice-next-review = posts wait for your approval.
notice-next-plan_week = nothing is scheduled for the coming week.
notice-next-keep_cadence = less is scheduled than you published this week.
notice-next-on_track = the coming week is planned.
notifications-kind-post_failed = Failed posts
notifications-kind-post_unconfirmed = Unconfirmed posts
notifications-kind-connection_reconnect = Accounts to reconnect
notifications-kind-digest = Weekly digest
notifications-describe-post_failed = Your post could not be published on one of its accounts (everyone who may publish is told when its author has left).
notifications-describe-post_unconfirmed = A platform did not confirm whether your post went out.
notifications-describe-connection_reconnect = A connected account has to be connected again before Herald can publish to it.
notifications-describe-digest = Once a week, on the day and at the time you choose below (Monday 08:00 unless you change it), in your time zone: the week's posts against the week before, failures, approvals and what comes next.
notifications-channel-in_app = In Herald
notifications-channel-email = By e-mail
notifications-kind_column = Notification
notifications-time_zone = Your time zone
notifications-time_zone_hint = The weekly digest comes on Monday at 08:00 in this zone, and times in mail are written in it.
notifications-time_zone_invalid = That is not a time zone Herald knows (e.g. Europe/Berlin).
notifications-email_unverified = Mail only goes to a confirmed address: confirm yours to get notifications by e-mail.
mail-notice-greeting = Hello { $name },
mail-notice-more =
    { $count ->
        [one] …and 1 more.
       *[other] …and { $count } more.
    }
mail-notice-action = Open Herald
mail-notice-open = Open
mail-notice-why = You get this e-mail because of your notification settings on the Herald instance at { $site }.
mail-notice-unsubscribe = Stop these e-mails
mail-notice-settings = Notification settings
mail-notice-post_failed-subject =
    { $count ->
        [one] A post could not be published ({ $workspace })
       *[other] { $count } posts could not be published ({ $workspace })
    }
mail-notice-post_failed-intro =
    { $count ->
        [one] A post in { $workspace } did not go out:
       *[other] { $count } posts in { $workspace } did not go out. The first ones:
    }
mail-notice-post_unconfirmed-subject =
    { $count ->
        [one] A post was not confirmed ({ $workspace })
       *[other] { $count } posts were not confirmed ({ $workspace })
    }
mail-notice-post_unconfirmed-intro = The platform did not confirm whether these went out; check the account before sending again:
mail-notice-connection_reconnect-subject =
    { $count ->
        [one] An account has to be connected again ({ $workspace })
       *[other] { $count } accounts have to be connected again ({ $workspace })
    }
mail-notice-connection_reconnect-intro = Herald can no longer publish to these accounts until someone connects them again:
mail-notice-connection_revoked-subject =
    { $count ->
        [one] Access to an account was removed ({ $workspace })
       *[other] Access to { $count } accounts was removed ({ $workspace })
    }
mail-notice-connection_revoked-intro = Someone removed Herald's access on the platform:
mail-notice-delivery_dead-subject =
    { $count ->
        [one] A webhook delivery failed ({ $workspace })
       *[other] { $count } webhook deliveries failed ({ $workspace })
    }
mail-notice-delivery_dead-intro = These events from Meta failed every attempt and wait for a replay:
mail-notice-endpoint_failing-subject =
    { $count ->
        [one] A webhook endpoint needs attention ({ $workspace })
       *[other] { $count } webhook endpoint problems ({ $workspace })
    }
mail-notice-endpoint_failing-intro = Outbound webhooks of { $workspace } are failing:
mail-notice-approval-subject =
    { $count ->
        [one] An approval in { $workspace }
       *[other] { $count } approvals in { $workspace }
    }
mail-notice-approval-intro = News about approvals:
mail-notice-post_mention-subject =
    { $count ->
        [one] You were mentioned in { $workspace }
       *[other] You were mentioned { $count } times in { $workspace }
    }
mail-notice-post_mention-intro = Teammates mentioned you:
mail-notice-comment-subject =
    { $count ->
        [one] A new comment ({ $workspace })
       *[other] { $count } new comments ({ $workspace })
    }
mail-notice-comment-intro = New comments on your connected accounts:
mail-notice-mention-subject =
    { $count ->
        [one] A new mention ({ $workspace })
       *[other] { $count } new mentions ({ $workspace })
    }
mail-notice-mention-intro = Your accounts were mentioned:
mail-notice-message-subject =
    { $count ->
        [one] A new message ({ $workspace })
       *[other] { $count } new messages ({ $workspace })
    }
mail-notice-message-intro = New direct messages:
mail-notice-story_insights-subject = Story insights arrived ({ $workspace })
mail-notice-story_insights-intro = Insights of expired stories arrived:
mail-notice-digest-subject = Your weekly digest ({ $workspace })
mail-notice-digest-intro = Your week:
mail-digest-subject =
    Your week in { $workspace }: { $published ->
        [one] 1 post published
       *[other] { $published } posts published
    }
mail-digest-intro = What happened from { $from } to { $to }:
mail-digest-published =
    { $count ->
        [one] 1 post published
       *[other] { $count } posts published
    } { $trend ->
        [up] ({ $change } more than the week before: { $before })
        [down] ({ $change } fewer than the week before: { $before })
       *[same] (as many as the week before)
    }
mail-digest-failed =
    { $count ->
        [0] Nothing failed
        [one] 1 post failed
       *[other] { $count } posts failed
    }
mail-digest-awaiting =
    { $count ->
        [0] Nothing waits for approval
        [one] 1 post waits for approval
       *[other] { $count } posts wait for approval
    }
mail-digest-scheduled =
    { $count ->
        [0] Nothing is scheduled for the coming week
        [one] 1 post is scheduled for the coming week
       *[other] { $count } posts are scheduled for the coming week
    }
mail-digest-next_label = Next step:
mail-digest-next-fix_failed =
    { $failed ->
        [one] look at the post that failed and send it again.
       *[other] look at the { $failed } posts that failed and send them again.
    }
mail-digest-next-review =
    { $awaiting ->
        [one] a post waits for your approval.
       *[other] { $awaiting } posts wait for your approval.
    }
mail-digest-next-plan_week = nothing is scheduled yet for the coming week: plan it in the calendar.
mail-digest-next-keep_cadence = { $scheduled } scheduled for the coming week, { $published } published this week: add posts to keep your pace.
mail-digest-next-on_track = the coming week is planned. Nothing to do.
mail-digest-action = Open the calendar
unsubscribe-title = Stop these e-mails
unsubscribe-lead = Stop e-mails about “{ $kind }” from the workspace { $workspace }? You still see them in Herald, and you can turn them back on in your notification settings.
unsubscribe-confirm = Stop these e-mails
unsubscribe-done_title = You will get no more of these e-mails
unsubscribe-done = E-mails about “{ $kind }” are off for this workspace. Turn them back on any time in your notification settings.
unsubscribe-invalid_title = This link does not work
unsubscribe-invalid = The unsubscribe link is incomplete or was not made by this Herald. Change your e-mail settings after signing in, under Settings → Notifications.
error-unknown_time_zone = That time zone is unknown. Choose one such as Europe/Berlin.
error-notification_unknown_channel = Unknown notification channel: use in_app or email.
notice-connection_expiring = Access to { $account } on { $platform } ends on { $at }. Connect it again before then to keep publishing.
notifications-kind-connection_expiring = Access ending soon
notifications-describe-connection_expiring = A connected account's access ends within a week and only you can renew it (told a week ahead and on the last day).
mail-notice-connection_expiring-subject =
    { $count ->
        [one] Access to an account ends soon ({ $workspace })
       *[other] Access to { $count } accounts ends soon ({ $workspace })
    }
mail-notice-connection_expiring-intro = Connect these accounts again before their access ends, or Herald can no longer publish to them:
## inbox (the engagement inbox at /home/inbox)
nav-inbox = Inbox
landing-f_inbox_title = One inbox for every account
landing-f_inbox_body = Comments, mentions and direct messages from Facebook, Instagram and YouTube arrive live in one list; assign them, keep notes, and answer from Herald within each platform's rules.
inbox-title = Inbox
inbox-lead = Comments, mentions and direct messages from every connected account, newest first. Answers go out through the platform, in the account's name.
inbox-filters = Filters
inbox-account = Account
inbox-any = Any
inbox-kind_label = Kind
inbox-state_label = Show
inbox-unread_only = Unread only
inbox-assigned_to_me = Assigned to me
inbox-apply = Apply
inbox-clear = Clear filters
inbox-empty_title = Nothing in the inbox
inbox-empty_body = Comments, mentions and messages of your connected accounts appear here as soon as the platforms send them. Connect an account in Publishing to start.
inbox-empty_filtered_title = Nothing matches these filters
inbox-empty_filtered_body = Clear the filters or choose others to see more.
inbox-new = New
inbox-done_badge = Done
inbox-removed_badge = Removed
inbox-hidden_badge = Hidden
inbox-assigned_to = Assigned to { $name }
inbox-unassigned = Not assigned
inbox-older = Older items
inbox-reload_hint = Reload the page to see what arrived since it opened.
inbox-times_in = Times are in { $zone }.
inbox-kind-comment = Comment
inbox-kind-mention = Mention
inbox-kind-message = Message
inbox-state-open = Open
inbox-state-done = Done
inbox-state-all = Open and done
inbox-someone = Someone
inbox-no_text = (no text)
inbox-former_member = A former member
inbox-nobody = Nobody
inbox-post_untitled = A post without a caption
inbox-item_title = Inbox item
inbox-back = Back to the inbox
inbox-post_title = The post
inbox-post_on_platform = See it on the platform
inbox-conversation = Conversation
inbox-thread = Thread
inbox-actions_title = What Herald did
inbox-actions_empty = Nothing yet.
inbox-notes_title = Notes
inbox-notes_empty = No notes yet. Notes are for your team only.
inbox-answer_message = Answer in the conversation
inbox-answer_comment = Answer
inbox-reply_label = Your answer
inbox-reply_hint = At most { $max } characters. It goes out in the account's name.
inbox-send_reply = Send reply
inbox-send_private_reply = Reply privately
inbox-work_title = Work on it
inbox-assign_label = Assigned to
inbox-assign = Assign
inbox-reopen = Open again
inbox-mark_done = Mark done
inbox-mark_unread = Mark unread
inbox-mark_read = Mark read
inbox-unhide = Show again
inbox-hide = Hide
inbox-delete = Delete on the platform
inbox-note_label = Note for the team
inbox-note_hint = Never sent to the platform.
inbox-add_note = Add note
inbox-action-reply = Reply
inbox-action-private_reply = Private reply
inbox-action-message = Message
inbox-action-hide = Hide
inbox-action-unhide = Show again
inbox-action-delete = Delete
inbox-action_state-queued = On its way
inbox-action_state-sent = Sent
inbox-action_state-failed = Failed
inbox-done-reply_queued = Your answer is on its way; this page shows when the platform took it.
inbox-done-assigned = Assigned.
inbox-done-unassigned = No longer assigned to anyone.
inbox-done-noted = Note added.
inbox-done-marked_done = Marked done.
inbox-done-reopened = Open again.
inbox-done-marked_read = Marked read.
inbox-done-marked_unread = Marked unread.
inbox-done-hide_queued = Hiding it on the platform.
inbox-done-unhide_queued = Showing it again on the platform.
inbox-done-delete_queued = Deleting it on the platform.
inbox-failure-outside_window = The platform allows messages only within 24 hours of the person's last message, and that time has passed. Wait until they write again.
inbox-failure-private_reply_used = This comment was already answered privately, or it is too old for a private reply (7 days).
inbox-failure-not_found = The platform no longer has this comment, message or person.
inbox-failure-not_allowed = The platform does not let this account do that here (for example hide a comment on someone else's post).
inbox-failure-unsupported = This platform offers no way to do that.
inbox-failure-outcome_unknown = Herald could not hear whether the platform did it, so it was not tried again. Check on the platform before answering again.
inbox-failure-reconnect = The platform no longer accepts Herald's access for this account. Connect it again in Publishing.
inbox-failure-rejected = The platform refused it.
inbox-failure-unavailable = The platform did not answer properly, even after several tries.
inbox-failure-rate_limited = The platform asked Herald to slow down, even after several tries.
inbox-failure-misconfigured = The platform rejected this server's app settings. An administrator has to check them.
inbox-failure-account_gone = The account is no longer connected.
inbox-failure-other = It did not go out.
inbox-failure_with_detail = { $reason } The platform said: “{ $said }”
error-inbox_item_not_found = We could not find that inbox item. It may belong to another workspace, or its account was removed.
error-inbox_text_required = Write something to send.
error-inbox_text_too_long = That is longer than the platform takes: at most 2200 characters on Instagram, 8000 on Facebook and 10000 on YouTube.
error-inbox_note_required = Write the note first.
error-inbox_note_too_long = Keep notes to 5000 characters or fewer.
error-inbox_action_unsupported = That cannot be done with this item on its platform.
error-inbox_unknown_member = That person is not a member of this workspace. Choose someone from the list.
notifications-digest_when = When the weekly digest comes
notifications-digest_day = Day
notifications-digest_time = Time
notifications-day-monday = Monday
notifications-day-tuesday = Tuesday
notifications-day-wednesday = Wednesday
notifications-day-thursday = Thursday
notifications-day-friday = Friday
notifications-day-saturday = Saturday
notifications-day-sunday = Sunday
error-digest_schedule_invalid = The digest needs a day (monday … sunday) and a time as HH:MM (00:00 to 23:59).

## The content studio
nav-content = Content
unit-money = { $amount } { $currency }
unit-decimal_mark = .
studio-title = Content studio
studio-lead = Start from a template or a brief, get a draft in your tone, edit it with its full history, and send it to the composer.
studio-engine_label = Drafts are written by:
studio-engine_ai = AI model { $model } (OpenAI-compatible)
studio-engine_builtin = template draft (no AI)
studio-engine_builtin_hint = No AI is configured on this server: the built-in engine fills the template from your brief, pillar, tone and the platform's rules, the same way every time.
studio-generate_action = Write a draft
studio-plan_link = Pillars and cadence
studio-usage_link = Usage and quotas
studio-drafts_title = Drafts
studio-drafts_empty = No drafts yet. Write one from a template or a brief, or start a blank one.
studio-col_title = Title
studio-col_format = Format
studio-col_version = Version
studio-col_changed = Last changed
studio-bookmarked = Bookmarked
studio-generated_badge = Generated
studio-blank_format = Format of a blank draft
studio-blank_draft = Start a blank draft
studio-bookmarks_title = Your bookmarks
studio-bookmarks_empty = Nothing bookmarked yet. Bookmark drafts, templates and generations to find them here.
studio-catalog_title = Templates
studio-filters = Filter the templates
studio-niche = Niche
studio-format_label = Format
studio-platform_label = Platform
studio-catalog_language = Catalog language
studio-words = Words
studio-any = Any
studio-any_platform = Any platform
studio-apply = Apply
studio-clear = Clear filters
studio-catalog_empty_title = No templates match
studio-catalog_empty_body = Try fewer filters or other words.
studio-own_copy = Your copy
studio-back = Content studio
studio-retired = no longer in the catalog
studio-copied_from = copied from the catalog's template
studio-write_with = Write with this
studio-blank_from = Start a blank draft from it
studio-copy = Copy to this workspace
studio-bookmark = Bookmark
studio-unbookmark = Remove bookmark
studio-slots_title = Slots
studio-slots_empty = This template has no slots.
studio-slots_hint = Each slot is a gap in the structure, written as its name in braces. Leave a name empty to remove the slot.
studio-slot_name = Name
studio-slot_hint = What goes there
studio-structure_title = Structure
studio-edit_copy = Change your copy
studio-field_title = Title
studio-description = Description
studio-platforms = Platforms it fits
studio-save = Save
studio-delete_copy = Delete this copy
studio-delete_copy_confirm = Delete this template copy? Drafts made from it keep their text.
studio-move_up = Move up
studio-move_down = Move down
studio-remove = Remove
studio-add_beat = Add a beat
studio-add_shot = Add a shot note
studio-add_slide = Add a slide
studio-add_part = Add a part
studio-label-hook = Hook (the first seconds)
studio-label-beats = Beats
studio-label-cta = Call to action
studio-label-shots = Shot notes
studio-label-caption = Caption
studio-label-text = Text
studio-label-hashtags = Hashtags (separated by spaces)
studio-label-slides = Slides
studio-label-slide = Slide
studio-label-slide_title = Title
studio-label-slide_body = Text
studio-label-parts = Parts
studio-generate_title = Write a draft
studio-generate_lead = Choose a template or a format, a tone, a pillar and a platform, and say what it is about.
studio-template_label = Template
studio-no_template = No template
studio-template_option = { $title } ({ $format })
studio-format_hint = Used when no template is chosen; a template brings its own format.
studio-tone_label = Tone
studio-no_tone = No particular tone
studio-pillar_label = Pillar
studio-no_pillar = No pillar
studio-brief_label = Brief
studio-brief_hint = What the piece is about, in your words (at most { $max } characters). E-mail addresses, phone numbers, card numbers and keys are replaced before anything leaves this server.
studio-generate_submit = Write the draft
studio-generate_not_allowed = Your role lets you read the studio but not write drafts.
studio-generation_title = Generation
studio-generation_status = Status:
studio-retrying = The last attempt did not work ({ $reason }). Herald tries again shortly.
studio-reload = Reload to see the latest state
studio-cancel_generation = Cancel
studio-output_title = What was written
studio-result_title = Result
studio-usage_line = Tokens used: { $input } in, { $output } out.
studio-cost_line = Cost: { $cost }
studio-open_draft = Open the draft
studio-version_now = version { $version }
studio-from_generation = from a generation
studio-from_template = from a template
studio-use_in_composer = Use in composer
studio-editor_title = Edit
studio-read_only = Only the draft's author, or someone who may publish, can change it.
studio-compare_heading = Changes from version { $from } to version { $to }
studio-compare_same = The two versions have the same text.
studio-col_change = Change
studio-col_part = Part
studio-col_text = Text
studio-change_added = added
studio-change_removed = removed
studio-change_same = unchanged
studio-versions_title = Versions
studio-col_by = Saved by
studio-col_when = When
studio-col_actions = Actions
studio-current = current
studio-compare = Compare with current
studio-restore = Restore
studio-restored_from = (restored version { $version })
studio-former_member = a former member
studio-delete_draft = Delete this draft
studio-delete_draft_confirm = Delete this draft and all its versions?
studio-autosave-saving = Saving…
studio-autosave-saved = Saved as version { $version }.
studio-autosave-conflict = Someone saved this draft since you opened it. Your latest changes are not saved: reload to see their version, then make your changes again.
studio-autosave-failed = Could not save: { $reason }
studio-autosave-reload = Reload their version
studio-plan_title = Pillars and cadence
studio-plan_lead = The themes this workspace rotates through, and how often it posts where.
studio-pillars_title = Pillars
studio-pillars_empty = No pillars yet.
studio-pillar_name = Name
studio-rename = Save
studio-delete = Delete
studio-delete_pillar_confirm = Delete this pillar? Drafts that named it keep their text.
studio-add_pillar = Add a pillar
studio-cadence_title = Cadence
studio-cadence_empty = No cadence plan yet: pick a preset or set your own.
studio-plan_from_preset = { $preset }: { $plan }
studio-per_week_line = { $platform } { $n } a week
studio-cadence_preset = Start from a preset
studio-use_preset = Use this preset
studio-cadence_own = Posts per week
studio-per_week_label = { $platform }
studio-cadence_days = Preferred days
studio-cadence_times = Preferred times (HH:MM, separated by commas)
studio-save_cadence = Save the cadence
studio-usage_title = Usage and quotas
studio-usage_lead = What the studio's generations used and cost, and how much of the quotas is left.
studio-month = Month
studio-show = Show
studio-usage_month = { $month }
studio-generations = Generations
studio-input_tokens = Input tokens
studio-output_tokens = Output tokens
studio-cost = Cost
studio-by_model = By model
studio-by_member = By member
studio-usage_empty = Nothing was generated this month.
studio-col_engine = Engine
studio-col_model = Model
studio-col_calls = Generations
studio-col_member = Member
studio-col_tokens = Tokens
studio-col_quota = Quota
studio-quota_use = Quotas today and this month
studio-used_of = { $used } of { $limit }
studio-used_unlimited = { $used } (no limit)
studio-count = { $n }
studio-quotas_title = Set the quotas
studio-quotas_hint = Generations and tokens per day and month (UTC), for the whole workspace and for each member. Leave a field empty for no limit.
studio-save_quotas = Save the quotas
studio-quota-workspace_day = Workspace, per day
studio-quota-workspace_month = Workspace, per month
studio-quota-member_day = Each member, per day
studio-quota-member_month = Each member, per month
studio-format-script = Reel or short script
studio-format-caption = Caption
studio-format-carousel = Carousel
studio-format-thread = Thread
studio-platform-instagram = Instagram
studio-platform-facebook = Facebook
studio-platform-tiktok = TikTok
studio-platform-youtube = YouTube
studio-status-queued = Waiting
studio-status-running = Writing
studio-status-succeeded = Done
studio-status-failed = Failed
studio-status-cancelled = Cancelled
studio-bookmark_kind-draft = Draft
studio-bookmark_kind-template = Template
studio-bookmark_kind-generation = Generation
studio-field-title = Title
studio-field-hook = Hook
studio-field-beat = Beat { $n }
studio-field-cta = Call to action
studio-field-shot = Shot { $n }
studio-field-caption = Caption
studio-field-text = Text
studio-field-hashtag = Hashtag { $n }
studio-field-slide_title = Slide { $n } title
studio-field-slide_body = Slide { $n } text
studio-field-part = Part { $n }
studio-day-mon = Monday
studio-day-tue = Tuesday
studio-day-wed = Wednesday
studio-day-thu = Thursday
studio-day-fri = Friday
studio-day-sat = Saturday
studio-day-sun = Sunday
studio-done-copied = The template was copied to this workspace. Change the copy as you like.
studio-done-template_saved = Your template copy was saved.
studio-done-template_deleted = The template copy was deleted.
studio-done-bookmarked = Bookmarked.
studio-done-unbookmarked = The bookmark was removed.
studio-done-draft_created = A new draft was started.
studio-done-saved = Saved as a new version.
studio-done-unchanged = Nothing changed, so no new version was saved.
studio-done-restored = The old version was restored as the newest version.
studio-done-draft_deleted = The draft was deleted.
studio-done-cancelled = The generation was cancelled.
studio-done-pillar_added = The pillar was added.
studio-done-pillar_saved = The pillar was saved.
studio-done-pillar_deleted = The pillar was deleted.
studio-done-cadence_saved = The cadence plan was saved.
studio-done-quotas_saved = The quotas were saved.
studio-done-generation_requested = The draft is being written.
studio-failure-rate_limited = the AI service asked Herald to slow down
studio-failure-unavailable = the AI service was unavailable
studio-failure-timeout = the AI service did not answer in time
studio-failure-context_too_long = the brief and the template are too long for the model; shorten the brief
studio-failure-content_filtered = the AI service's content filter refused the request or the answer; rephrase the brief
studio-failure-unauthorized = the AI service refused this server's key; an administrator must check the AI settings
studio-failure-rejected = the AI service refused the request
studio-failure-malformed = the answer could not be read as a draft
studio-failure-cancelled = it was cancelled
studio-failure-other = something went wrong
error-template_not_found = We could not find that template. It may have been deleted, or it belongs to another workspace.
error-tone_not_found = There is no such tone. Choose one of the listed tones.
error-pillar_not_found = We could not find that pillar. It may have been deleted.
error-generation_not_found = We could not find that generation. It belongs to another workspace or never existed.
error-draft_not_found = We could not find that draft. It may have been deleted, or it belongs to another workspace.
error-draft_version_not_found = This draft has no such version.
error-template_read_only = The catalog's templates cannot be changed. Copy the template to this workspace and change the copy.
error-studio_invalid =
    “{ $field }” was not accepted: { $reason ->
        [empty] it is empty.
        [too_long] it is too long (a brief has at most 4000 characters, a title 120).
        [control_characters] it contains control characters.
        [too_many_items] it has too many items (at most 30).
        [no_slides] a carousel needs at least one slide.
        [bad_name] a slot's name may hold only letters, digits and underscores.
        [duplicate] a name is there twice.
        [unknown_slot] it names a slot the template does not have.
        [unknown_day] days are mon, tue, wed, thu, fri, sat or sun.
        [not_hh_mm] times are written as HH:MM.
        [too_many] at most 50 posts a week per platform.
        [not_yyyy_mm] months are written as YYYY-MM.
        [too_large] the number is too large.
        [not_a_number] enter whole numbers, or leave a field empty.
        [missing] it is missing.
        [unknown] it is not one of the choices.
       *[other] check it and try again.
    }
error-content_format_mismatch = The text is a { $found }, but this needs a { $expected }.
error-pillar_exists = This workspace already has a pillar of that name.
error-draft_conflict = Someone saved this draft since you started editing it. Reload to see their version; your changes were not saved.
error-quota_reached =
    { $scope ->
        [member] Your { $period ->
            [day] daily
           *[month] monthly
        } quota
       *[workspace] This workspace's { $period ->
            [day] daily
           *[month] monthly
        } quota
    } of { $limit } { $measure ->
        [generations] generations
       *[tokens] tokens
    } is used up. { $period ->
        [day] It starts afresh at midnight UTC.
       *[month] It starts afresh on the first of next month (UTC).
    } Owners and admins can raise it on the usage page.
error-generation_ended = This generation has already ended.
compose-from_draft = Prefilled from the draft
compose-from_draft_issues = Before it can go out, the platforms still need:
landing-f_studio_title = Drafts from templates, with or without AI
landing-f_studio_body = Start from a catalog of scripts, captions, carousels and threads in your tone; an AI model you configure (or the built-in template engine) writes the draft, and every edit is kept as a version you can compare and restore.

## analytics
nav-analytics = Analytics
nav-learn = Learn
unit-percent = { $n }%
unit-points = { $n } pp
unit-hours_short = { $n } h
unit-day_month = { $month } { $day }
month-short-1 = Jan
month-short-2 = Feb
month-short-3 = Mar
month-short-4 = Apr
month-short-5 = May
month-short-6 = Jun
month-short-7 = Jul
month-short-8 = Aug
month-short-9 = Sep
month-short-10 = Oct
month-short-11 = Nov
month-short-12 = Dec
analytics-title = Analytics
analytics-lead = How your accounts grew and what worked, from the platforms' own figures.
analytics-learn_link = Recommendations and guides
analytics-filters = Filters
analytics-period = Period
analytics-period-7d = Last 7 days
analytics-period-30d = Last 30 days
analytics-period-90d = Last 90 days
analytics-account = Account
analytics-any_account = All accounts
analytics-platform = Platform
analytics-any_platform = All platforms
analytics-pillar = Content pillar
analytics-any_pillar = All pillars
analytics-measure = Growth chart shows
analytics-measure-followers = Followers
analytics-measure-views = Views
analytics-measure-engagements = Engagements
analytics-show = Show
analytics-clear_filters = Show everything
analytics-range = { $from } to { $to }, compared with the { $days } days before.
analytics-refresh = Refresh now
analytics-done-refresh_queued =
    { $n ->
        [0] Every account already has a refresh waiting; its figures arrive when it has run.
        [one] Refreshing one account: its figures arrive in a few minutes.
       *[other] Refreshing { $n } accounts: their figures arrive in a few minutes.
    }
analytics-none = —
analytics-not_reported = not reported
analytics-headline_title = The period at a glance
analytics-headline-followers = Followers
analytics-headline-views = Views
analytics-headline-engagements = Engagements
analytics-headline-engagement_rate = Engagement rate
analytics-headline-watch_time = Watch time
analytics-change_up = up { $change } on the { $days } days before
analytics-change_down = down { $change } on the { $days } days before
analytics-change_flat = unchanged against the { $days } days before
analytics-change_unknown = no figures from the { $days } days before to compare with
analytics-accounts_title = Accounts
analytics-col-account = Account
analytics-col-platform = Platform
analytics-col-accounts = Accounts
analytics-col-followers = Followers
analytics-col-views = Views
analytics-col-engagements = Engagements
analytics-col-rate = Engagement rate
analytics-col-watch_time = Watch time
analytics-col-posts = Posts
analytics-col-last_day = Latest figures
analytics-col-day = Day
analytics-col-step = Step
analytics-col-value = Number
analytics-col-of_previous = Of the step before
analytics-col-post = Post
analytics-col-published = Published
analytics-col-weekday = Weekday
analytics-col-hour = Hour
analytics-col-reason = Why
analytics-col-status = Status
analytics-col-days = Days read
analytics-col-rows = Rows (days / posts)
analytics-col-calls = Platform calls
analytics-col-errors = Errors
analytics-col-started = Started
analytics-growth_title = Growth
analytics-growth_all = All accounts
analytics-growth_chart = { $measure }: { $name }
analytics-growth_summary = { $measure }: { $first } on { $from }, { $last } on { $to }.
analytics-growth_summary_none = No { $measure } figures in this period.
analytics-show_numbers = Show the numbers
analytics-funnel_title = Engagement funnel
analytics-funnel_lead = From views to engagements, profile visits and new followers.
analytics-funnel_summary = { $views } views led to { $engagements } engagements and { $follows } new followers.
analytics-step-views = Views
analytics-step-engagements = Engagements
analytics-step-profile_actions = Profile actions
analytics-step-follows = New followers
analytics-platforms_title = Platforms side by side
analytics-platforms_chart = Views by platform
analytics-platform_summary = { $platform }: { $views } views, { $rate } engagement rate.
analytics-posts_title = Top and bottom posts
analytics-posts_count =
    { $n ->
        [0] No posts in this period.
        [one] One post in this period, ranked by engagement rate.
       *[other] { $n } posts in this period, ranked by engagement rate.
    }
analytics-posts_empty = No posts were published in this period, or the platforms have not reported them yet.
analytics-top = Best
analytics-bottom = Weakest
analytics-untitled = Untitled post
analytics-open_post = opens on the platform
analytics-open_herald = In Herald
analytics-heat_title = Best times to post
analytics-heat_lead = When your posts did best, by weekday and hour in { $zone }. A star marks the best slots.
analytics-heat_chart = Engagement rate by weekday and hour ({ $zone })
analytics-heat_cell = { $day } { $hour }:00: { $posts ->
        [one] 1 post
       *[other] { $posts } posts
    }, { $rate } engagement rate
analytics-heat_cell_empty = { $day } { $hour }:00: no posts
analytics-heat_summary = { $posts ->
        [one] 1 post
       *[other] { $posts } posts
    } in this period. Best: { $best }.
analytics-heat_summary_none = { $posts ->
        [one] 1 post
       *[other] { $posts } posts
    } in this period; too few at any one hour to tell the best.
analytics-best_slot = { $day } at { $hour }:00 ({ $rate }, { $posts ->
        [one] 1 post
       *[other] { $posts } posts
    })
analytics-best_none = Not enough posts yet to tell: a best time needs at least two posts at that hour.
analytics-anomalies_title = Unusual days
analytics-anomalies_empty = Nothing unusual: every day stayed near its usual range.
analytics-anomaly-spike = { $metric } of { $account } jumped on { $day }: { $value } against a usual { $median }.
analytics-anomaly-drop = { $metric } of { $account } dropped on { $day }: { $value } against a usual { $median }.
analytics-metric-views = Views
analytics-metric-reach = Reach
analytics-metric-engagements = Engagements
analytics-metric-follows = New followers
analytics-metric-unfollows = Unfollows
analytics-metric-watch_time_secs = Watch time
analytics-runs_title = Latest data refreshes
analytics-runs_empty = Herald has not read any figures yet.
analytics-run_days = { $from } to { $to }
analytics-finished = finished { $at }
analytics-reason-backfill = First read (90 days)
analytics-reason-nightly = Nightly
analytics-reason-manual = Refresh now
analytics-status-queued = Waiting
analytics-status-running = Running
analytics-status-succeeded = Done
analytics-status-failed = Failed
analytics-run_error-rate_limited = The platform's rate limit was reached; Herald carries on later.
analytics-run_error-unavailable = The platform did not answer; Herald tries again.
analytics-run_error-reconnect = The account has to be connected again.
analytics-run_error-other = The platform refused a request.
analytics-export_title = Download as CSV
analytics-export_hint = Every table with the filters above, for spreadsheets: plain numbers, rates as fractions, days as YYYY-MM-DD.
analytics-export-summary = Accounts and totals
analytics-export-growth = Growth, day by day
analytics-export-funnel = Engagement funnel
analytics-export-posts = Top and bottom posts
analytics-export-best_times = Best times
analytics-export-platforms = Platforms
analytics-export-runs = Data refreshes
analytics-empty-connect_title = No accounts to measure yet
analytics-empty-connect_body = Connect an Instagram, Facebook, TikTok or YouTube account: Herald then reads its figures of the last 90 days and every night after.
analytics-empty-connect_action = Connect an account
analytics-empty-waiting_title = The first figures are on their way
analytics-empty-waiting_body = Herald is reading your accounts' figures from the platforms. This takes a few minutes; reload the page to see them.
analytics-empty-none_title = No figures yet
analytics-empty-none_body = Herald reads every account's figures each night at 03:00 in its time zone. To see them now, refresh.
analytics-empty-none_body_viewer = Herald reads every account's figures each night at 03:00 in its time zone; someone who may publish can also refresh them now.
analytics-empty-filtered_title = Nothing matches these filters
analytics-empty-filtered_body = No figures for this account, platform or pillar in this period.

## recommendations
recommendation-cadence_below_plan-title = Post more on { $platform }
recommendation-cadence_below_plan-evidence = Your plan asks for { $planned } posts a week on { $platform }; the last 7 days had { $posted }.
recommendation-format_unused-title = Post a { $format } on { $platform }
recommendation-format_unused-evidence = { $used ->
        [never] You have not posted a { $format } on { $platform } yet, though your audience there sees them.
       *[other] Your last { $format } on { $platform } was { $days } days ago.
    }
recommendation-pillar_neglected-title = Give “{ $pillar }” a post
recommendation-pillar_neglected-evidence = { $used ->
        [never] Nothing has gone out for the pillar “{ $pillar }” in the { $days } days since you made it.
       *[other] The pillar “{ $pillar }” has had no post for { $days } days.
    }
recommendation-engagement_falling-title = Engagement is falling on { $account }
recommendation-engagement_falling-evidence = In the last 30 days { $rate } of views turned into engagements, against { $previous } in the 30 days before: { $change } fewer.
recommendation-best_hours_unused-title = Post at your best hour
recommendation-best_hours_unused-evidence = Your posts did best on { $weekday } at { $hour } ({ $rate } engagement rate), but none of your last { $posts } posts went out then.
recommendation-anomaly-title = An unusual day on { $account }
recommendation-anomaly-evidence = { $metric } dropped to { $value } on { $day }, against a usual { $median }.

## learn
learn-title = Learn
learn-lead = What your own figures suggest next, and short guides on making posts that work.
learn-recommendations_title = Recommended for you
learn-recommendations_empty = Nothing to recommend right now: your posting matches your plan and your figures look steady. New recommendations appear as the figures come in.
learn-open_dashboard = Open the dashboard
learn-read = Read:
learn-done_action = Done
learn-dismiss_action = Dismiss
learn-done-done = Marked as done. It comes back only if the figures change.
learn-done-dismissed = Dismissed. It comes back only if the figures change.
learn-done-gone = That recommendation no longer applies.
learn-next-compose = Open the composer
learn-next-compose_at = Compose for { $at }
learn-next-templates = Open the templates
learn-next-cadence = Open the posting plan
learn-next-dashboard = Open the dashboard
learn-guides_title = Guides
learn-guides_empty = No guides are installed.
learn-minutes = { $n ->
        [one] 1 minute to read
       *[other] { $n } minutes to read
    }
learn-back = Learn
learn-in_english = This guide is not written in your language yet; here it is in English.
learn-topic-formats = Formats
learn-topic-hooks = Hooks and captions
learn-topic-filming = Filming
learn-topic-tone = Tone of voice
learn-topic-accessibility = Accessibility
learn-topic-planning = Planning
learn-topic-analytics = Reading your figures
learn-topic-other = More
learn-format-reel = Reel
learn-format-carousel = carousel
learn-format-short = Short
learn-format-video = video
learn-format-photo = photo post
studio-for_pillar = For your pillar “{ $pillar }”: a draft you start here belongs to it.
error-analytics_invalid =
    { $field ->
        [period] The period must be 7d, 30d or 90d.
        [limit] The limit must be between 1 and 100.
        [rank] Posts are ranked by engagement_rate, engagements, views or newest.
        [platform] The platform must be facebook, instagram, tiktok or youtube.
        [account] That is not the id of a connected account.
        [pillar] That is not the id of a content pillar.
        [time_zone] The time zone must be an IANA name such as Europe/Berlin.
        [measure] The growth chart shows followers, views or engagements.
       *[other] “{ $field }” is not valid.
    }
error-analytics_account_not_found = This workspace has no such account.
error-guide_not_found = There is no such guide.
error-recommendation_not_found = That recommendation no longer applies.
notice-analytics_anomaly = { $direction ->
        [spike] { $metric } of { $account } jumped to { $value } (usually { $median }).
       *[other] { $metric } of { $account } dropped to { $value } (usually { $median }).
    }
notifications-kind-analytics_anomaly = Unusual days in analytics
notifications-describe-analytics_anomaly = A connected account's views, reach, engagements or followers moved far from their usual range.
mail-notice-analytics_anomaly-subject = Unusual days in your analytics ({ $workspace })
mail-notice-analytics_anomaly-intro = Some figures moved far from their usual range:
