// The otklik ops dashboard: sign in with the ops token, then the ticket queue, one ticket (its feedback with
// the topics highlighted, its draft, approval, status and assignment), today's numbers with the last
// reports, and the spike alerts. Plain JavaScript on the ops API's own routes: nothing is built, nothing
// third-party is loaded. Whatever the API sends is put on the page as text (textContent), never as markup.
"use strict";

(() => {
  // ------------------------------------------------------------ words

  const STRINGS = {
    ru: {
      "nav.label": "Разделы",
      "nav.queue": "Очередь",
      "nav.ticket": "Тикет",
      "nav.numbers": "Цифры",
      "nav.alerts": "Всплески",
      "lang.label": "Язык интерфейса",
      "lang.other": "English",
      signout: "Выйти",
      "signin.title": "Вход",
      "signin.intro": "Токен ops API; ключ API нужен только на AWS.",
      "signin.token": "Токен",
      "signin.key": "Ключ API (x-api-key), если есть",
      "signin.name": "Ваше имя",
      "signin.name.hint": "Так подписываются ваши одобрения, смены статуса и назначения.",
      "signin.submit": "Войти",
      "signin.refused": "Токен не принят: проверьте его (и ключ API на AWS).",
      "signin.expired": "Токен больше не принимается: войдите снова.",
      "signin.unreachable": "API не отвечает: {0}",
      loading: "Загрузка…",
      "error.generic": "Ошибка {0}: {1}",
      "error.network": "API не отвечает: {0}",
      any: "любой",
      none: "—",
      "queue.title": "Очередь тикетов",
      "queue.status": "Статус",
      "queue.team": "Команда",
      "queue.priority": "Приоритет",
      "queue.assignee": "Исполнитель",
      "queue.breached": "Только просроченные",
      "queue.show": "Показать",
      "queue.reset": "Сбросить",
      "queue.empty": "Тикетов с такими условиями нет.",
      "queue.newest": "Новые сверху.",
      "queue.next": "Дальше →",
      "queue.prev": "← В начало",
      "queue.page": "Страница {0}",
      "col.id": "Тикет",
      "col.priority": "Приоритет",
      "col.team": "Команда",
      "col.kind": "Вид · источник",
      "col.text": "Текст",
      "col.status": "Статус",
      "col.assignee": "Исполнитель",
      "col.sla": "SLA: первый ответ",
      "col.created": "Создан",
      "sla.none": "без срока",
      "sla.left": "осталось {0}",
      "sla.late": "просрочен на {0}",
      "sla.paused": "на паузе",
      "sla.answered": "ответ дан",
      "sla.stopped": "остановлен",
      "sla.due": "срок {0}",
      "ticket.back": "← К очереди",
      "ticket.feedback": "Отзыв",
      "ticket.product": "Товар",
      "ticket.author": "Автор",
      "ticket.rating": "Оценка",
      "ticket.tonality": "Тональность",
      "ticket.topics": "Темы",
      "ticket.notopics": "Темы не найдены.",
      "ticket.flags": "Модерация",
      "ticket.why": "Почему тикет",
      "ticket.history": "История",
      "ticket.created": "Создан",
      "ticket.due": "Первый ответ до",
      "ticket.resolution_due": "Решение до",
      "ticket.reply": "Ответ",
      "ticket.reply.current": "Ответ на площадке",
      "ticket.draft": "Черновик ответа",
      "ticket.nodraft": "Черновика нет: напишите ответ сами.",
      "ticket.reply.label": "Текст ответа",
      "ticket.template": "шаблон {0}",
      "ticket.verdict": "Проверка ответа",
      "ticket.passes": "Черновик проходит проверку",
      "ticket.fails": "Черновик не проходит проверку",
      "ticket.edited": "Текст изменён: его проверят при одобрении.",
      "ticket.approve": "Одобрить",
      "ticket.approving": "Отправка…",
      "ticket.approved": "Одобрен и поставлен в очередь на публикацию.",
      "ticket.refused": "Ответ не принят:",
      "ticket.waiting": "Ждём публикации…",
      "reply.approved": "одобрен, ждёт публикации",
      "reply.published": "опубликован",
      "reply.rejected": "отклонён",
      "reply.by": "одобрил(а) {0}, {1}",
      "reply.published_at": "опубликован {0}",
      "reply.platform": "на площадке: {0}",
      "reply.platform.none": "площадка ещё не сверена",
      "platform.published": "виден покупателям",
      "platform.pending": "на модерации",
      "platform.rejected": "отклонён модерацией",
      "platform.missing": "не найден",
      "ticket.status.title": "Статус",
      "ticket.status.to": "Новый статус",
      "ticket.status.note": "Заметка",
      "ticket.status.cause": "Причина (для «решён»)",
      "ticket.status.change": "Изменить статус",
      "ticket.status.final": "Тикет закрыт: больше ничего не меняется.",
      "ticket.status.done": "Статус изменён.",
      "ticket.assign.title": "Исполнитель",
      "ticket.assign.to": "Кому",
      "ticket.assign.save": "Назначить",
      "ticket.assign.me": "Взять себе",
      "ticket.assign.clear": "Снять",
      "ticket.assign.done": "Назначение сохранено.",
      "ticket.unassigned": "не назначен",
      "numbers.title": "Цифры за сегодня",
      "numbers.day": "{0}, {1}",
      "numbers.total": "Отзывы и обращения",
      "numbers.arrived": "Пришло сегодня",
      "numbers.negative": "Негативных",
      "numbers.neutral": "Нейтральных",
      "numbers.positive": "Позитивных",
      "numbers.rating": "Средняя оценка",
      "numbers.opened": "Тикетов открыто",
      "numbers.resolved": "Тикетов решено",
      "numbers.frt": "Первый ответ, в среднем",
      "numbers.sla": "Ответов в срок",
      "numbers.breached": "Просрочек SLA",
      "numbers.published": "Ответов опубликовано",
      "numbers.nps": "NPS",
      "numbers.csat": "CSAT",
      "numbers.sources": "По источникам",
      "numbers.nosources": "Сегодня ничего не пришло.",
      "col.source": "Источник",
      "reports.title": "Последние отчёты",
      "reports.none": "Отчётов ещё нет: они строятся по расписанию (otklik reports build).",
      "reports.open": "Графики",
      "reports.page": "Отчёт целиком",
      "reports.csv": "Данные (CSV)",
      "reports.changes": "Что изменилось",
      "reports.charts": "Графики отчёта {0}",
      "under.minute": "< 1 мин",
      "alerts.title": "Всплески жалоб",
      "alerts.none": "Всплесков нет.",
      "alerts.day": "День",
      "alerts.topic": "Тема",
      "alerts.where": "Где",
      "alerts.count": "Жалоб",
      "alerts.baseline": "Обычно",
      "alerts.ratio": "×{0}",
      "alerts.examples": "Примеры",
      "alerts.everywhere": "везде",
      "dur.d": "{0} д",
      "dur.h": "{0} ч",
      "dur.m": "{0} мин",
      "status.open": "открыт",
      "status.acknowledged": "принят",
      "status.in_progress": "в работе",
      "status.waiting_customer": "ждёт покупателя",
      "status.resolved": "решён",
      "status.closed": "закрыт",
      "priority.urgent": "срочный",
      "priority.high": "высокий",
      "priority.normal": "обычный",
      "priority.low": "низкий",
      "kind.review": "отзыв",
      "kind.question": "вопрос",
      "kind.chat": "чат",
      "kind.complaint": "жалоба",
      "kind.survey": "опрос",
      "tonality.negative": "негативная",
      "tonality.neutral": "нейтральная",
      "tonality.positive": "позитивная",
      "polarity.negative": "жалоба",
      "polarity.neutral": "упоминание",
      "polarity.positive": "похвала",
      "topic.quality": "качество",
      "topic.size_fit": "размер",
      "topic.description_mismatch": "не как в описании",
      "topic.wrong_or_missing_item": "не тот товар / некомплект",
      "topic.delivery": "доставка",
      "topic.packaging": "упаковка",
      "topic.smell": "запах",
      "topic.price_value": "цена",
      "topic.seller_service": "сервис продавца",
      "topic.returns_refunds": "возврат",
      "topic.counterfeit": "подделка",
      "footer.tz": "Время — московское.",
    },
    en: {
      "nav.label": "Views",
      "nav.queue": "Queue",
      "nav.ticket": "Ticket",
      "nav.numbers": "Numbers",
      "nav.alerts": "Spikes",
      "lang.label": "Interface language",
      "lang.other": "Русский",
      signout: "Sign out",
      "signin.title": "Sign in",
      "signin.intro": "The ops API token; the API key is needed on AWS only.",
      "signin.token": "Token",
      "signin.key": "API key (x-api-key), if any",
      "signin.name": "Your name",
      "signin.name.hint": "Your approvals, status changes and assignments are signed with it.",
      "signin.submit": "Sign in",
      "signin.refused": "The token was refused: check it (and the API key on AWS).",
      "signin.expired": "The token is no longer accepted: sign in again.",
      "signin.unreachable": "The API does not answer: {0}",
      loading: "Loading…",
      "error.generic": "Error {0}: {1}",
      "error.network": "The API does not answer: {0}",
      any: "any",
      none: "—",
      "queue.title": "Ticket queue",
      "queue.status": "Status",
      "queue.team": "Team",
      "queue.priority": "Priority",
      "queue.assignee": "Assignee",
      "queue.breached": "Overdue only",
      "queue.show": "Show",
      "queue.reset": "Reset",
      "queue.empty": "No tickets match.",
      "queue.newest": "Newest first.",
      "queue.next": "Next →",
      "queue.prev": "← First page",
      "queue.page": "Page {0}",
      "col.id": "Ticket",
      "col.priority": "Priority",
      "col.team": "Team",
      "col.kind": "Kind · source",
      "col.text": "Text",
      "col.status": "Status",
      "col.assignee": "Assignee",
      "col.sla": "SLA: first response",
      "col.created": "Created",
      "sla.none": "no deadline",
      "sla.left": "{0} left",
      "sla.late": "overdue by {0}",
      "sla.paused": "paused",
      "sla.answered": "answered",
      "sla.stopped": "stopped",
      "sla.due": "due {0}",
      "ticket.back": "← Back to the queue",
      "ticket.feedback": "Feedback",
      "ticket.product": "Product",
      "ticket.author": "Author",
      "ticket.rating": "Rating",
      "ticket.tonality": "Tonality",
      "ticket.topics": "Topics",
      "ticket.notopics": "No topics found.",
      "ticket.flags": "Moderation",
      "ticket.why": "Why a ticket",
      "ticket.history": "History",
      "ticket.created": "Created",
      "ticket.due": "First response due",
      "ticket.resolution_due": "Resolution due",
      "ticket.reply": "Reply",
      "ticket.reply.current": "The reply on the marketplace",
      "ticket.draft": "Reply draft",
      "ticket.nodraft": "No draft: write the reply yourself.",
      "ticket.reply.label": "Reply text",
      "ticket.template": "template {0}",
      "ticket.verdict": "Reply check",
      "ticket.passes": "The draft passes the check",
      "ticket.fails": "The draft fails the check",
      "ticket.edited": "The text was changed: it is checked when approved.",
      "ticket.approve": "Approve",
      "ticket.approving": "Sending…",
      "ticket.approved": "Approved and queued for publishing.",
      "ticket.refused": "The reply was refused:",
      "ticket.waiting": "Waiting for publishing…",
      "reply.approved": "approved, waiting to be published",
      "reply.published": "published",
      "reply.rejected": "rejected",
      "reply.by": "approved by {0}, {1}",
      "reply.published_at": "published {0}",
      "reply.platform": "on the marketplace: {0}",
      "reply.platform.none": "not read back from the marketplace yet",
      "platform.published": "shown to customers",
      "platform.pending": "in moderation",
      "platform.rejected": "rejected by moderation",
      "platform.missing": "missing",
      "ticket.status.title": "Status",
      "ticket.status.to": "New status",
      "ticket.status.note": "Note",
      "ticket.status.cause": "Root cause (to resolve)",
      "ticket.status.change": "Change status",
      "ticket.status.final": "The ticket is closed: nothing changes it any more.",
      "ticket.status.done": "Status changed.",
      "ticket.assign.title": "Assignee",
      "ticket.assign.to": "To",
      "ticket.assign.save": "Assign",
      "ticket.assign.me": "Take it",
      "ticket.assign.clear": "Unassign",
      "ticket.assign.done": "Assignment saved.",
      "ticket.unassigned": "unassigned",
      "numbers.title": "Today's numbers",
      "numbers.day": "{0}, {1}",
      "numbers.total": "Reviews and messages",
      "numbers.arrived": "Arrived today",
      "numbers.negative": "Negative",
      "numbers.neutral": "Neutral",
      "numbers.positive": "Positive",
      "numbers.rating": "Average rating",
      "numbers.opened": "Tickets opened",
      "numbers.resolved": "Tickets resolved",
      "numbers.frt": "First response, average",
      "numbers.sla": "Answered in time",
      "numbers.breached": "SLA breaches",
      "numbers.published": "Replies published",
      "numbers.nps": "NPS",
      "numbers.csat": "CSAT",
      "numbers.sources": "By source",
      "numbers.nosources": "Nothing arrived today.",
      "col.source": "Source",
      "reports.title": "Latest reports",
      "reports.none": "No reports yet: they are built on schedule (otklik reports build).",
      "reports.open": "Charts",
      "reports.page": "Full report",
      "reports.csv": "Data (CSV)",
      "reports.changes": "What changed",
      "reports.charts": "Charts of {0}",
      "under.minute": "< 1 min",
      "alerts.title": "Complaint spikes",
      "alerts.none": "No spikes.",
      "alerts.day": "Day",
      "alerts.topic": "Topic",
      "alerts.where": "Where",
      "alerts.count": "Complaints",
      "alerts.baseline": "Usually",
      "alerts.ratio": "×{0}",
      "alerts.examples": "Examples",
      "alerts.everywhere": "everywhere",
      "dur.d": "{0} d",
      "dur.h": "{0} h",
      "dur.m": "{0} min",
      "status.open": "open",
      "status.acknowledged": "acknowledged",
      "status.in_progress": "in progress",
      "status.waiting_customer": "waiting for customer",
      "status.resolved": "resolved",
      "status.closed": "closed",
      "priority.urgent": "urgent",
      "priority.high": "high",
      "priority.normal": "normal",
      "priority.low": "low",
      "kind.review": "review",
      "kind.question": "question",
      "kind.chat": "chat",
      "kind.complaint": "complaint",
      "kind.survey": "survey",
      "tonality.negative": "negative",
      "tonality.neutral": "neutral",
      "tonality.positive": "positive",
      "polarity.negative": "complaint",
      "polarity.neutral": "mention",
      "polarity.positive": "praise",
      "topic.quality": "quality",
      "topic.size_fit": "size and fit",
      "topic.description_mismatch": "not as described",
      "topic.wrong_or_missing_item": "wrong or missing item",
      "topic.delivery": "delivery",
      "topic.packaging": "packaging",
      "topic.smell": "smell",
      "topic.price_value": "price",
      "topic.seller_service": "seller service",
      "topic.returns_refunds": "returns",
      "topic.counterfeit": "counterfeit",
      "footer.tz": "Times are Moscow time.",
    },
  };

  const LANG_KEY = "otklik.lang";
  let lang = localStorage.getItem(LANG_KEY) === "en" ? "en" : "ru";

  // The string `key` in the current language, with {0}, {1}... filled in; a value the dictionary does not
  // know (a new status, a topic of a seller's own) is shown as the API wrote it.
  function t(key, ...args) {
    const text = STRINGS[lang][key] ?? STRINGS.ru[key] ?? key;
    return text.replace(/\{(\d)\}/g, (_, n) => String(args[Number(n)] ?? ""));
  }
  function named(prefix, value) {
    if (value === null || value === undefined || value === "") return t("none");
    const key = `${prefix}.${value}`;
    return STRINGS[lang][key] ?? String(value);
  }

  // ------------------------------------------------------------ the page's own vocabulary

  const STATUSES = ["open", "acknowledged", "in_progress", "waiting_customer", "resolved", "closed"];
  const PRIORITIES = ["urgent", "high", "normal", "low"];
  // The lifecycle (otklik.domain.lifecycle.TRANSITIONS), to offer only the moves it allows; the API
  // still decides, and answers 409 naming the allowed ones.
  const TRANSITIONS = {
    open: ["acknowledged", "in_progress", "waiting_customer", "resolved"],
    acknowledged: ["in_progress", "waiting_customer", "resolved"],
    in_progress: ["waiting_customer", "resolved"],
    waiting_customer: ["open", "in_progress", "resolved"],
    resolved: ["open", "in_progress", "closed"],
    closed: [],
  };
  // The sample document's tickets.root_causes, offered as suggestions; the document in force decides.
  const ROOT_CAUSES = [
    "product_defect", "wrong_item", "missing_item", "description_mismatch", "size_fit", "packaging",
    "delivery", "seller_service", "customer_expectation", "question_answered", "spam", "no_action_needed",
    "other",
  ];
  // Days, the SLA's deadlines and the reports are in the stack's ReportTimezone: Moscow unless set otherwise.
  const TIME_ZONE = "Europe/Moscow";
  const PAGE_SIZE = 50;

  // ------------------------------------------------------------ building the page (text only)

  // An element: props are attributes (className, text, on* handlers, or attributes by name); children are
  // elements or strings (which become text nodes).
  function h(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "className") node.className = value;
      else if (name === "text") node.textContent = String(value);
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "value") node.value = value;
      else if (name === "checked" || name === "disabled" || name === "selected" || name === "hidden") {
        node[name] = Boolean(value);
      } else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // Replace what node holds with children, as h() takes them (nothing for null: the DOM would write "null").
  function fill(node, ...children) {
    node.replaceChildren(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
    return node;
  }

  function $(id) {
    return document.getElementById(id);
  }

  function translateStatic() {
    document.documentElement.lang = lang;
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-aria-label]")) {
      node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
    }
    // The button names the other language in that language, and says so to a screen reader.
    const other = $("lang");
    other.textContent = t("lang.other");
    other.lang = lang === "ru" ? "en" : "ru";
    other.title = t("lang.label");
  }

  // ------------------------------------------------------------ time

  function when(iso) {
    if (!iso) return t("none");
    const moment = new Date(iso);
    if (Number.isNaN(moment.getTime())) return String(iso);
    return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "ru-RU", {
      timeZone: TIME_ZONE, day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    }).format(moment);
  }

  function duration(ms) {
    const minutes = Math.max(1, Math.round(ms / 60000));
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const rest = minutes % 60;
    if (days) return [t("dur.d", days), hours ? t("dur.h", hours) : ""].filter(Boolean).join(" ");
    if (hours) return [t("dur.h", hours), rest ? t("dur.m", rest) : ""].filter(Boolean).join(" ");
    return t("dur.m", rest);
  }

  function today() {
    // en-CA writes dates as YYYY-MM-DD.
    return new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE }).format(new Date());
  }

  // The first-response clock of a ticket: its words and its colour (ok, warn, late, or quiet for none).
  function slaClock(ticket, now) {
    if (ticket.first_response_at || (ticket.reply && ticket.reply.status === "published")) {
      return { text: t("sla.answered"), level: "done" };
    }
    if (!ticket.first_response_due_at || ticket.reply_needed === false) {
      return { text: t("sla.none"), level: "none" };
    }
    if (ticket.status === "resolved" || ticket.status === "closed") {
      return { text: t("sla.stopped"), level: "none" };
    }
    const due = Date.parse(ticket.first_response_due_at);
    if (ticket.sla_breached_at || due <= now) {
      return { text: t("sla.late", duration(now - due)), level: "late" };
    }
    if (ticket.sla_paused_at || ticket.status === "waiting_customer") {
      return { text: t("sla.paused"), level: "paused" };
    }
    const warnAt = ticket.first_response_warn_at ? Date.parse(ticket.first_response_warn_at) : due - 3600000;
    return { text: t("sla.left", duration(due - now)), level: now >= warnAt ? "warn" : "ok" };
  }

  function slaBadge(ticket) {
    const clock = slaClock(ticket, Date.now());
    const badge = h("span", { className: `sla sla-${clock.level}`, text: clock.text });
    if (ticket.first_response_due_at) badge.title = t("sla.due", when(ticket.first_response_due_at));
    // Re-read every half minute by the ticker below, so the clock runs while the page is open.
    badge.dataset.sla = JSON.stringify({
      first_response_at: ticket.first_response_at || null,
      first_response_due_at: ticket.first_response_due_at || null,
      first_response_warn_at: ticket.first_response_warn_at || null,
      sla_breached_at: ticket.sla_breached_at || null,
      sla_paused_at: ticket.sla_paused_at || null,
      reply_needed: ticket.reply_needed,
      status: ticket.status,
      reply: ticket.reply ? { status: ticket.reply.status } : null,
    });
    return badge;
  }

  setInterval(() => {
    for (const badge of document.querySelectorAll("[data-sla]")) {
      const clock = slaClock(JSON.parse(badge.dataset.sla), Date.now());
      badge.textContent = clock.text;
      badge.className = `sla sla-${clock.level}`;
    }
  }, 30000);

  // ------------------------------------------------------------ the session and the API

  const SESSION_KEY = "otklik.session";
  const NAME_KEY = "otklik.name";

  function session() {
    try {
      const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
      return stored && stored.token ? stored : null;
    } catch {
      return null;
    }
  }

  // The API lives where the page does: /dashboard locally, /<stage>/dashboard behind API Gateway.
  const API_BASE = location.pathname.replace(/\/dashboard\/?$/, "");

  class ApiError extends Error {
    constructor(status, body) {
      const error = (body && body.error) || {};
      super(error.message || (body && body.message) || `HTTP ${status}`);
      this.status = status;
      this.code = error.code || "";
      this.details = Array.isArray(error.details) ? error.details : [];
    }
  }

  async function api(method, path, body, given) {
    const credentials = given || session();
    const headers = { Authorization: `Bearer ${credentials ? credentials.token : ""}` };
    if (credentials && credentials.key) headers["x-api-key"] = credentials.key;
    const init = { method, headers, cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(API_BASE + path, init);
    } catch (error) {
      throw new ApiError(0, { error: { message: t("error.network", error.message) } });
    }
    const text = await response.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { error: { message: text.slice(0, 200) } };
    }
    if (!response.ok) {
      const error = new ApiError(response.status, parsed);
      if (response.status === 401 && !given) expire();
      throw error;
    }
    return parsed;
  }

  function expire() {
    sessionStorage.removeItem(SESSION_KEY);
    showSignIn(t("signin.expired"));
  }

  function problem(error) {
    const status = error.status ? `${error.status}` : "";
    return h("p", { className: "error", role: "alert", text: t("error.generic", status, error.message) });
  }

  // ------------------------------------------------------------ sign-in

  function showSignIn(message) {
    $("nav").hidden = true;
    $("signout").hidden = true;
    $("who").hidden = true;
    fill($("view"));
    $("signin").hidden = false;
    const failed = $("signin-error");
    failed.hidden = !message;
    failed.textContent = message || "";
    $("signin-name").value = localStorage.getItem(NAME_KEY) || "";
    $("signin-token").focus();
  }

  async function signIn(event) {
    event.preventDefault();
    const given = {
      token: $("signin-token").value.trim(),
      key: $("signin-key").value.trim(),
      name: $("signin-name").value.trim(),
    };
    const failed = $("signin-error");
    failed.hidden = true;
    try {
      await api("GET", "/tickets?limit=1", undefined, given);
    } catch (error) {
      failed.textContent = error.status === 401 || error.status === 403
        ? t("signin.refused")
        : t("signin.unreachable", error.message);
      failed.hidden = false;
      return;
    }
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(given));
    localStorage.setItem(NAME_KEY, given.name);
    $("signin-token").value = "";
    $("signin-key").value = "";
    route();
  }

  function signOut() {
    sessionStorage.removeItem(SESSION_KEY);
    location.hash = "#/queue";
    showSignIn();
  }

  // ------------------------------------------------------------ views

  let shown = 0; // the latest view asked for: an answer for an earlier one is dropped

  function begin(view, ...content) {
    const current = ++shown;
    $("signin").hidden = true;
    $("nav").hidden = false;
    $("signout").hidden = false;
    const who = $("who");
    who.hidden = false;
    who.textContent = session().name;
    for (const link of document.querySelectorAll("#nav a")) {
      if (link.dataset.view === view) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    fill($("view"), ...content);
    $("view").dataset.view = view;
    return () => current === shown;
  }

  function loading() {
    return h("p", { className: "muted loading", text: t("loading") });
  }

  // ---- the queue

  function queueFilters(params) {
    const status = params.get("status") || "open";
    const statusSelect = h("select", { id: "f-status", name: "status" },
      STATUSES.map((value) => h("option", { value, selected: value === status, text: named("status", value) })));
    const prioritySelect = h("select", { id: "f-priority", name: "priority" },
      h("option", { value: "", text: t("any") }),
      PRIORITIES.map((value) => h("option", {
        value, selected: value === params.get("priority"), text: named("priority", value),
      })));
    const form = h("form", { className: "filters", id: "filters", role: "search" },
      h("div", { className: "field" }, h("label", { for: "f-status", text: t("queue.status") }), statusSelect),
      h("div", { className: "field" },
        h("label", { for: "f-team", text: t("queue.team") }),
        h("input", { id: "f-team", name: "team", value: params.get("team") || "", placeholder: t("any"), size: 12 })),
      h("div", { className: "field" }, h("label", { for: "f-priority", text: t("queue.priority") }), prioritySelect),
      h("div", { className: "field" },
        h("label", { for: "f-assignee", text: t("queue.assignee") }),
        h("input", {
          id: "f-assignee", name: "assignee", value: params.get("assignee") || "", placeholder: t("any"), size: 14,
        })),
      h("div", { className: "field check" },
        h("input", { id: "f-breached", name: "breached", type: "checkbox", checked: params.get("breached") === "true" }),
        h("label", { for: "f-breached", text: t("queue.breached") })),
      h("div", { className: "field actions" },
        h("button", { type: "submit", className: "primary", text: t("queue.show") }),
        h("a", { href: "#/queue", className: "button", text: t("queue.reset") })));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const wanted = new URLSearchParams();
      wanted.set("status", statusSelect.value);
      for (const name of ["team", "priority", "assignee"]) {
        const value = form.elements[name].value.trim();
        if (value) wanted.set(name, value);
      }
      if (form.elements.breached.checked) wanted.set("breached", "true");
      location.hash = `#/queue?${wanted}`;
    });
    return form;
  }

  function ticketRow(ticket) {
    const open = () => { location.hash = `#/tickets/${encodeURIComponent(ticket.id)}`; };
    return h("tr", { className: `row priority-${ticket.priority}`, "data-ticket": ticket.id, onclick: open },
      h("td", { className: "id" }, h("a", { href: `#/tickets/${encodeURIComponent(ticket.id)}`, text: ticket.id })),
      h("td", {}, h("span", { className: `badge priority-${ticket.priority}`, text: named("priority", ticket.priority) })),
      h("td", { text: ticket.team }),
      h("td", { className: "nowrap" }, named("kind", ticket.kind), h("span", { className: "muted", text: ` · ${ticket.source}` })),
      h("td", { className: "excerpt", text: ticket.excerpt }),
      h("td", {}, h("span", { className: `badge status-${ticket.status}`, text: named("status", ticket.status) })),
      h("td", { text: ticket.assignee || t("none") }),
      h("td", {}, slaBadge(ticket)),
      h("td", { className: "nowrap muted", text: when(ticket.created_at) }));
  }

  async function showQueue(params) {
    const table = h("div", { className: "results" }, loading());
    const fresh = begin("queue",
      h("h1", { text: t("queue.title") }),
      queueFilters(params),
      table);
    const query = new URLSearchParams();
    query.set("status", params.get("status") || "open");
    for (const name of ["team", "priority", "assignee", "breached", "cursor"]) {
      if (params.get(name)) query.set(name, params.get(name));
    }
    query.set("limit", String(PAGE_SIZE));
    let answer;
    try {
      answer = await api("GET", `/tickets?${query}`);
    } catch (error) {
      if (fresh()) fill(table, problem(error));
      return;
    }
    if (!fresh()) return;
    const page = Number(params.get("page") || "1");
    const paging = h("div", { className: "paging" },
      page > 1 ? h("a", { className: "button", href: `#/queue?${without(params, ["cursor", "page"])}`, text: t("queue.prev") }) : null,
      h("span", { className: "muted", text: `${t("queue.page", page)} · ${t("queue.newest")}` }),
      answer.next_cursor
        ? h("a", {
          className: "button", id: "next-page",
          href: `#/queue?${withParams(params, { cursor: answer.next_cursor, page: String(page + 1) })}`,
          text: t("queue.next"),
        })
        : null);
    if (!answer.items.length) {
      fill(table, h("p", { className: "empty", text: t("queue.empty") }), paging);
      return;
    }
    const head = ["col.id", "col.priority", "col.team", "col.kind", "col.text", "col.status", "col.assignee",
      "col.sla", "col.created"].map((key) => h("th", { scope: "col", text: t(key) }));
    fill(table,
      h("table", { className: "tickets", id: "tickets" },
        h("thead", {}, h("tr", {}, head)),
        h("tbody", {}, answer.items.map(ticketRow))),
      paging);
  }

  function without(params, names) {
    const copy = new URLSearchParams(params);
    for (const name of names) copy.delete(name);
    return copy;
  }
  function withParams(params, values) {
    const copy = new URLSearchParams(params);
    for (const [name, value] of Object.entries(values)) copy.set(name, value);
    return copy;
  }

  // ---- one ticket

  // The text with each topic's evidence marked: spans from the topics' offsets (start, end), checked
  // against the evidence they name; overlapping spans keep the first.
  function highlighted(text, topics) {
    const spans = [];
    for (const topic of topics || []) {
      let { start, end } = topic;
      if (!(Number.isInteger(start) && Number.isInteger(end) && text.slice(start, end) === topic.evidence)) {
        start = topic.evidence ? text.indexOf(topic.evidence) : -1;
        end = start + (topic.evidence || "").length;
      }
      if (start >= 0 && end > start) spans.push({ start, end, topic });
    }
    spans.sort((a, b) => a.start - b.start);
    const parts = [];
    let at = 0;
    for (const span of spans) {
      if (span.start < at) continue;
      parts.push(text.slice(at, span.start));
      const title = `${named("topic", span.topic.topic)} · ${named("polarity", span.topic.polarity)}`;
      parts.push(h("mark", {
        className: `topic polarity-${span.topic.polarity}`, title, "data-topic": span.topic.topic,
        text: text.slice(span.start, span.end),
      }));
      at = span.end;
    }
    parts.push(text.slice(at));
    return parts;
  }

  function stars(rating) {
    if (!rating) return t("none");
    return `${"★".repeat(rating)}${"☆".repeat(Math.max(0, 5 - rating))}`;
  }

  function facts(rows) {
    return h("dl", { className: "facts" }, rows.filter(Boolean).map(([label, value]) => [
      h("dt", { text: label }), h("dd", {}, value),
    ]));
  }

  function feedbackCard(feedback, explained) {
    if (!feedback) return null;
    const topics = (explained && explained.topics) || feedback.topics || [];
    const text = feedback.text || feedback.text_masked || "";
    const flags = (feedback.moderation && feedback.moderation.flags) || [];
    return h("section", { className: "card feedback", "aria-labelledby": "feedback-title" },
      h("h2", { id: "feedback-title", text: t("ticket.feedback") }),
      h("blockquote", { className: "text", id: "feedback-text" }, highlighted(text, topics)),
      h("ul", { className: "topics", "aria-label": t("ticket.topics") },
        topics.length
          ? topics.map((topic) => h("li", { className: `chip polarity-${topic.polarity}` },
            h("strong", { text: named("topic", topic.topic) }), ` · ${named("polarity", topic.polarity)}`))
          : h("li", { className: "muted", text: t("ticket.notopics") })),
      facts([
        feedback.product ? [t("ticket.product"), [feedback.product.name || feedback.product.id || "",
          feedback.product.sku ? h("span", { className: "muted", text: ` · ${feedback.product.sku}` }) : null]] : null,
        [t("ticket.author"), (feedback.author && feedback.author.name) || t("none")],
        [t("ticket.rating"), h("span", { className: "stars", text: stars(feedback.rating) })],
        feedback.tonality ? [t("ticket.tonality"), h("span", {
          className: `tonality tonality-${feedback.tonality.label}`,
          text: `${named("tonality", feedback.tonality.label)} (${Number(feedback.tonality.compound).toFixed(2)})`,
        })] : null,
        flags.length ? [t("ticket.flags"), flags.join(", ")] : null,
      ]));
  }

  function replyState(reply) {
    if (!reply) return null;
    const platform = reply.platform_state
      ? t("reply.platform", named("platform", reply.platform_state))
      : t("reply.platform.none");
    return h("div", { className: `reply-state reply-${reply.status}`, id: "reply-state", "data-status": reply.status },
      h("p", {},
        h("span", { className: `badge reply-${reply.status}`, text: named("reply", reply.status) }),
        " ",
        h("span", { className: "muted", text: t("reply.by", reply.approved_by, when(reply.approved_at)) }),
        reply.published_at ? h("span", { className: "muted", text: ` · ${t("reply.published_at", when(reply.published_at))}` }) : null,
        reply.status === "approved" ? null : h("span", { className: "muted", text: ` · ${platform}` })),
      reply.reason ? h("p", { className: "error", text: reply.reason }) : null,
      h("blockquote", { className: "text reply-text", text: reply.text }));
  }

  function problemsList(problems) {
    return h("ul", { className: "problems" }, problems.map((item) => h("li", {
      text: typeof item === "string" ? item : item.message || item.check || JSON.stringify(item),
    })));
  }

  function verdictOf(draft) {
    if (!draft || !draft.draft) return null;
    return h("div", { className: `verdict ${draft.passes ? "passes" : "fails"}`, id: "verdict", role: "status" },
      h("strong", { text: draft.passes ? `✓ ${t("ticket.passes")}` : `✗ ${t("ticket.fails")}` }),
      draft.problems && draft.problems.length ? problemsList(draft.problems) : null);
  }

  function replySection(ticket, draft, reload) {
    const reply = ticket.reply;
    const canApprove = ticket.status !== "closed" && (!reply || reply.status === "rejected");
    const drafted = draft && draft.draft ? draft.draft : null;
    const section = h("section", { className: "card reply", "aria-labelledby": "reply-title" },
      h("h2", { id: "reply-title", text: reply ? t("ticket.reply.current") : t("ticket.draft") }));
    if (reply) section.append(replyState(reply));
    if (!canApprove) return section;
    if (reply) section.append(h("h3", { text: t("ticket.draft") }));
    const original = drafted ? drafted.text : "";
    const textarea = h("textarea", { id: "reply-text", rows: 6, value: original });
    const verdict = verdictOf(draft);
    const edited = h("p", { className: "muted", id: "reply-edited", text: t("ticket.edited"), hidden: true });
    textarea.addEventListener("input", () => {
      const changed = textarea.value !== original;
      edited.hidden = !changed || !drafted;
      if (verdict) verdict.classList.toggle("stale", changed);
    });
    const outcome = h("div", { className: "outcome", id: "reply-outcome", "aria-live": "polite" });
    const approve = h("button", { type: "submit", className: "primary", id: "approve", text: t("ticket.approve") });
    const form = h("form", { className: "approve" },
      drafted
        ? h("p", { className: "muted", text: t("ticket.template", drafted.template) })
        : h("p", { className: "muted", text: t("ticket.nodraft") }),
      h("label", { for: "reply-text", text: t("ticket.reply.label") }),
      textarea,
      edited,
      verdict ? h("div", { "aria-label": t("ticket.verdict") }, verdict) : null,
      h("div", { className: "actions" }, approve),
      outcome);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      approve.disabled = true;
      approve.textContent = t("ticket.approving");
      // Unchanged, the draft is approved as it is (it keeps its template and variant); edited, the text.
      const body = { approved_by: session().name };
      if (!drafted || textarea.value !== original) body.text = textarea.value;
      try {
        await api("POST", `/tickets/${encodeURIComponent(ticket.id)}/reply`, body);
      } catch (error) {
        approve.disabled = false;
        approve.textContent = t("ticket.approve");
        fill(outcome, h("div", { className: "refused", role: "alert" },
          h("p", { className: "error", text: `${t("ticket.refused")} ${error.message}` }),
          error.details.length ? problemsList(error.details) : null));
        return;
      }
      fill(outcome, h("p", { className: "ok", role: "status", text: t("ticket.approved") }));
      reload({ waitForPublishing: true });
    });
    section.append(form);
    return section;
  }

  function statusSection(ticket, reload) {
    const section = h("section", { className: "card", "aria-labelledby": "status-title" },
      h("h2", { id: "status-title", text: t("ticket.status.title") }),
      h("p", {}, h("span", { className: `badge status-${ticket.status}`, text: named("status", ticket.status) })));
    const next = TRANSITIONS[ticket.status] || [];
    if (!next.length) {
      section.append(h("p", { className: "muted", text: t("ticket.status.final") }));
      return section;
    }
    const select = h("select", { id: "status-to" }, next.map((value) => h("option", { value, text: named("status", value) })));
    const note = h("input", { id: "status-note", maxlength: 1000 });
    const cause = h("input", { id: "status-cause", list: "root-causes", maxlength: 40 });
    const causeField = h("div", { className: "field", hidden: select.value !== "resolved" },
      h("label", { for: "status-cause", text: t("ticket.status.cause") }), cause,
      h("datalist", { id: "root-causes" }, ROOT_CAUSES.map((value) => h("option", { value }))));
    select.addEventListener("change", () => { causeField.hidden = select.value !== "resolved"; });
    const outcome = h("div", { className: "outcome", "aria-live": "polite" });
    const form = h("form", { className: "stack" },
      h("div", { className: "field" }, h("label", { for: "status-to", text: t("ticket.status.to") }), select),
      causeField,
      h("div", { className: "field" }, h("label", { for: "status-note", text: t("ticket.status.note") }), note),
      h("div", { className: "actions" }, h("button", { type: "submit", text: t("ticket.status.change") })),
      outcome);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = { status: select.value, by: session().name, note: note.value.trim() };
      if (select.value === "resolved" && cause.value.trim()) body.root_cause = cause.value.trim();
      try {
        await api("POST", `/tickets/${encodeURIComponent(ticket.id)}/status`, body);
      } catch (error) {
        fill(outcome, problem(error));
        return;
      }
      reload({ message: t("ticket.status.done") });
    });
    section.append(form);
    return section;
  }

  function assignSection(ticket, reload) {
    const input = h("input", { id: "assignee", value: ticket.assignee || "", maxlength: 80 });
    const outcome = h("div", { className: "outcome", "aria-live": "polite" });
    async function assign(assignee) {
      try {
        await api("POST", `/tickets/${encodeURIComponent(ticket.id)}/assign`, { assignee, by: session().name });
      } catch (error) {
        fill(outcome, problem(error));
        return;
      }
      reload({ message: t("ticket.assign.done") });
    }
    const form = h("form", { className: "stack" },
      h("p", {}, ticket.assignee ? h("strong", { text: ticket.assignee }) : h("span", { className: "muted", text: t("ticket.unassigned") })),
      h("div", { className: "field" }, h("label", { for: "assignee", text: t("ticket.assign.to") }), input),
      h("div", { className: "actions" },
        h("button", { type: "submit", text: t("ticket.assign.save") }),
        h("button", { type: "button", onclick: () => assign(session().name), text: t("ticket.assign.me") }),
        ticket.assignee ? h("button", { type: "button", onclick: () => assign(null), text: t("ticket.assign.clear") }) : null),
      outcome);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      assign(input.value.trim() || null);
    });
    return h("section", { className: "card", "aria-labelledby": "assign-title" },
      h("h2", { id: "assign-title", text: t("ticket.assign.title") }), form);
  }

  function whySection(ticket, explained) {
    const reasons = explained && explained.routing && explained.routing.reasons;
    return h("section", { className: "card", "aria-labelledby": "why-title" },
      h("h2", { id: "why-title", text: t("ticket.why") }),
      h("ul", { className: "plain" }, (reasons || ticket.reasons.map((reason) => ({ reason, why: "" }))).map(
        (item) => h("li", {}, h("strong", { text: item.reason }), item.why ? ` — ${item.why}` : ""))),
      (ticket.matched_rules || []).length
        ? h("ul", { className: "plain muted" }, ticket.matched_rules.map((rule) => h("li", {
          text: `${rule.name}: ${(rule.why || []).join("; ")}`,
        })))
        : null);
  }

  function historySection(ticket) {
    return h("section", { className: "card", "aria-labelledby": "history-title" },
      h("h2", { id: "history-title", text: t("ticket.history") }),
      h("ol", { className: "history" }, [...ticket.history].reverse().map((change) => h("li", {},
        h("span", { className: "muted", text: when(change.at) }), " ",
        h("strong", { text: named("status", change.status) }), ` · ${change.by}`,
        change.note ? h("span", { className: "muted", text: ` — ${change.note}` }) : null,
        change.root_cause ? h("span", { className: "muted", text: ` (${change.root_cause})` }) : null))));
  }

  async function showTicket(id, options = {}) {
    const body = h("div", {}, loading());
    const fresh = begin("ticket",
      h("p", {}, h("a", { href: "#/queue", text: t("ticket.back") })),
      body);
    // The header's «Тикет» goes back to the ticket last opened, from the other views.
    const link = $("nav-ticket");
    link.href = `#/tickets/${encodeURIComponent(id)}`;
    link.hidden = false;
    const path = `/tickets/${encodeURIComponent(id)}`;
    let ticket;
    let draft;
    try {
      [ticket, draft] = await Promise.all([api("GET", path), api("GET", `${path}/draft`)]);
    } catch (error) {
      if (fresh()) fill(body, problem(error));
      return;
    }
    const feedbackPath = `/feedback/${encodeURIComponent(ticket.feedback_id)}`;
    const [feedback, explained] = await Promise.all([
      api("GET", feedbackPath).catch(() => null),
      api("GET", `${feedbackPath}/explain`).catch(() => null),
    ]);
    if (!fresh()) return;
    const reload = (next) => showTicket(id, next);
    fill(body,
      h("header", { className: "ticket-head" },
        h("h1", {}, `${t("nav.ticket")} `, h("span", { className: "mono", text: ticket.id })),
        h("p", { className: "meta" },
          h("span", { className: `badge priority-${ticket.priority}`, text: named("priority", ticket.priority) }),
          h("span", { className: `badge status-${ticket.status}`, id: "ticket-status", text: named("status", ticket.status) }),
          h("span", { text: `${ticket.team} · ${named("kind", ticket.kind)} · ${ticket.source}/${ticket.account}` }),
          slaBadge(ticket)),
        facts([
          [t("ticket.created"), when(ticket.created_at)],
          [t("ticket.due"), when(ticket.first_response_due_at)],
          ticket.resolution_due_at ? [t("ticket.resolution_due"), when(ticket.resolution_due_at)] : null,
        ])),
      options.message ? h("p", { className: "ok", role: "status", text: options.message }) : null,
      h("div", { className: "columns" },
        h("div", { className: "main-column" },
          feedbackCard(feedback, explained),
          replySection(ticket, draft, reload)),
        h("div", { className: "side-column" },
          statusSection(ticket, reload),
          assignSection(ticket, reload),
          whySection(ticket, explained),
          historySection(ticket))));
    // After an approval the reply is published by the pipeline: look again until it is, or refused.
    if (options.waitForPublishing && ticket.reply && ticket.reply.status === "approved") {
      const waiting = h("p", { className: "muted", id: "waiting", text: t("ticket.waiting") });
      $("reply-state").append(waiting);
      const tries = (options.tries || 0) + 1;
      if (tries <= 60) {
        setTimeout(() => {
          if (fresh()) showTicket(id, { waitForPublishing: true, tries });
        }, 1500);
      }
    }
  }

  // ---- today's numbers and the reports

  function share(value) {
    return value === null || value === undefined ? t("none") : `${Math.round(value * 100)}%`;
  }
  function number(value, digits = 0) {
    if (value === null || value === undefined) return t("none");
    return Number(value).toLocaleString(lang === "en" ? "en-GB" : "ru-RU", {
      minimumFractionDigits: digits, maximumFractionDigits: digits,
    });
  }

  function hours(value) {
    if (value === null || value === undefined) return t("none");
    return value * 60 < 1 ? t("under.minute") : duration(value * 3600000);
  }

  function tiles(all) {
    const tickets = all.tickets || {};
    const frt = tickets.first_response || {};
    const sla = tickets.sla || {};
    const labels = all.labels || {};
    const tile = (label, value, className = "") => h("div", { className: `tile ${className}` },
      h("span", { className: "value", text: value }), h("span", { className: "label", text: label }));
    return h("div", { className: "tiles", id: "today-tiles" },
      tile(t("numbers.total"), number(all.total)),
      tile(t("numbers.arrived"), number(all.arrived)),
      tile(t("numbers.negative"), number(labels.negative), "negative"),
      tile(t("numbers.neutral"), number(labels.neutral)),
      tile(t("numbers.positive"), number(labels.positive), "positive"),
      tile(t("numbers.rating"), number(all.rating_average, 2)),
      tile(t("numbers.opened"), number(tickets.opened)),
      tile(t("numbers.resolved"), number(tickets.resolved)),
      tile(t("numbers.frt"), hours(frt.average_hours)),
      tile(t("numbers.sla"), share(sla.met_share)),
      tile(t("numbers.breached"), number(sla.breached), sla.breached ? "negative" : ""),
      tile(t("numbers.published"), number((tickets.replies || {}).published)),
      tile(t("numbers.nps"), number((all.nps || {}).score)),
      tile(t("numbers.csat"), share((all.csat || {}).satisfied_share)));
  }

  function sourcesTable(values) {
    const rows = Object.entries(values || {});
    if (!rows.length) return h("p", { className: "muted", text: t("numbers.nosources") });
    return h("table", { className: "compact", id: "sources" },
      h("thead", {}, h("tr", {}, ["col.source", "numbers.total", "numbers.arrived", "numbers.negative",
        "numbers.rating", "numbers.opened"].map((key) => h("th", { scope: "col", text: t(key) })))),
      h("tbody", {}, rows.map(([source, counts]) => h("tr", {},
        h("th", { scope: "row", text: source }),
        h("td", { text: number(counts.total) }),
        h("td", { text: number(counts.arrived) }),
        h("td", { text: number((counts.labels || {}).negative) }),
        h("td", { text: number(counts.rating_average, 2) }),
        h("td", { text: number((counts.tickets || {}).opened) })))));
  }

  async function reportCharts(entry, place) {
    fill(place, loading());
    let report;
    try {
      report = await api("GET", `/reports/${encodeURIComponent(entry.id)}`);
    } catch (error) {
      fill(place, problem(error));
      return;
    }
    const links = report.links || {};
    fill(place,
      h("p", { className: "links" },
        links["report.html"] ? h("a", { href: links["report.html"], target: "_blank", rel: "noopener noreferrer", text: t("reports.page") }) : null,
        links["data.csv"] ? h("a", { href: links["data.csv"], rel: "noopener noreferrer", text: t("reports.csv") }) : null),
      h("div", { className: "charts", "aria-label": t("reports.charts", report.title) },
        (report.charts || []).filter((chart) => links[chart.file]).map((chart) => h("figure", {},
          h("img", { src: links[chart.file], alt: chart.title, loading: "lazy", "data-chart": chart.file }),
          h("figcaption", { text: chart.title })))));
  }

  function reportCard(entry, first) {
    const charts = h("div", { className: "report-charts" });
    const card = h("article", { className: "card report", "data-report": entry.id },
      h("h3", { text: entry.title }),
      h("p", { className: "muted", text: entry.period }),
      h("p", { className: "summary", text: entry.summary }),
      (entry.changes || []).length
        ? h("div", {}, h("h4", { text: t("reports.changes") }),
          h("ul", { className: "plain" }, entry.changes.map((text) => h("li", { text }))))
        : null,
      first ? null : h("button", { type: "button", onclick: (event) => {
        event.currentTarget.remove();
        reportCharts(entry, charts);
      }, text: t("reports.open") }),
      charts);
    if (first) reportCharts(entry, charts);
    return card;
  }

  async function showNumbers() {
    const day = today();
    const numbers = h("div", {}, loading());
    const reports = h("div", {}, loading());
    const fresh = begin("numbers",
      h("h1", { text: t("numbers.title") }),
      h("p", { className: "muted", text: `${day} · ${t("footer.tz")}` }),
      numbers,
      h("h2", { text: t("reports.title") }),
      reports);
    const base = `/aggregates?period=day&key=${encodeURIComponent(day)}`;
    Promise.all([api("GET", `${base}&dimension=all`), api("GET", `${base}&dimension=source`)]).then(
      ([all, sources]) => {
        if (!fresh()) return;
        fill(numbers,
          tiles((all.values && all.values.all) || {}),
          h("h2", { text: t("numbers.sources") }),
          sourcesTable(sources.values));
      },
      (error) => { if (fresh()) fill(numbers, problem(error)); });
    try {
      const listed = await api("GET", "/reports?limit=5");
      if (!fresh()) return;
      fill(reports, listed.items.length
        ? h("div", { className: "reports" }, listed.items.map((entry, index) => reportCard(entry, index === 0)))
        : h("p", { className: "muted", text: t("reports.none") }));
    } catch (error) {
      if (fresh()) fill(reports, problem(error));
    }
  }

  // ---- spike alerts

  async function showAlerts() {
    const body = h("div", {}, loading());
    const fresh = begin("alerts", h("h1", { text: t("alerts.title") }), body);
    let answer;
    try {
      answer = await api("GET", "/alerts?limit=100");
    } catch (error) {
      if (fresh()) fill(body, problem(error));
      return;
    }
    if (!fresh()) return;
    if (!answer.items.length) {
      fill(body, h("p", { className: "empty", id: "no-alerts", text: t("alerts.none") }));
      return;
    }
    fill(body, h("table", { className: "alerts", id: "alerts" },
      h("thead", {}, h("tr", {}, ["alerts.day", "alerts.topic", "alerts.where", "alerts.count", "alerts.baseline",
        "alerts.examples"].map((key) => h("th", { scope: "col", text: t(key) })))),
      h("tbody", {}, answer.items.map((alert) => h("tr", {},
        h("td", { className: "nowrap", text: alert.day }),
        h("td", {}, h("strong", { text: named("topic", alert.topic) })),
        h("td", { text: alert.product ? `${alert.source || ""} ${alert.product}`.trim() : t("alerts.everywhere") }),
        h("td", {}, h("span", { className: "spike", text: String(alert.count) }), " ",
          h("span", { className: "muted", text: t("alerts.ratio", number(alert.count / Math.max(alert.baseline, 0.1), 1)) })),
        h("td", { text: number(alert.baseline, 1) }),
        h("td", {}, h("ul", { className: "plain examples" },
          (alert.examples || []).map((example) => h("li", { text: `«${example}»` })))))))));
  }

  // ------------------------------------------------------------ routes: #/queue, #/tickets/<id>, #/numbers, #/alerts

  function route() {
    if (!session()) {
      showSignIn();
      return;
    }
    const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
    const parts = path.split("/").filter(Boolean);
    if (parts[0] === "tickets" && parts[1]) showTicket(decodeURIComponent(parts[1]));
    else if (parts[0] === "numbers") showNumbers();
    else if (parts[0] === "alerts") showAlerts();
    else showQueue(new URLSearchParams(query || ""));
  }

  document.addEventListener("DOMContentLoaded", () => {
    translateStatic();
    $("signin-form").addEventListener("submit", signIn);
    $("signout").addEventListener("click", signOut);
    $("lang").addEventListener("click", () => {
      lang = lang === "ru" ? "en" : "ru";
      localStorage.setItem(LANG_KEY, lang);
      translateStatic();
      if (session()) route();
    });
    window.addEventListener("hashchange", route);
    route();
  });
})();
