"""Moderation's word lists: insults and the people they can be aimed at, promotion, contacts, paid reviews.

Ours, hand-written and reviewed by us (docs/moderation.md says how they were checked). Each list is
declined by otklik.domain.moderation.forms, so a word is found in any of its forms ("дебилы",
"дебилам"); every form maps to bits of the kinds below, looked up once per word of a text.
Profanity is not here: its words are built from roots with prefixes, see profanity.py.
"""

from __future__ import annotations

from types import MappingProxyType

from otklik.domain.moderation.forms import expand

# What a word is, as bits: one word may be several things ("вы" is the reader, "наш" is own).
INSULT = 1  # abuse that is a person by itself: дебил, урод, мразь (also alone: "Уроды!")
INSULT_WEAK = 1 << 1  # abuse only when aimed: дурак, козёл, сука ("сука, опять порвалось" is not)
INSULT_ADJ = 1 << 2  # abuse when it qualifies a person: тупой продавец (a тупой нож is blunt)
PERSON = 1 << 3  # who abuse is aimed at: продавец, курьер, менеджер, люди
YOU = 1 << 4  # the reader: ты, вы, ваш
THIRD = 1 << 5  # он, она, они
WHO = 1 << 6  # какой, кто: "какой дебил это упаковал"
SELF = 1 << 7  # the writer: я, мне, мы ("я дура, что купила" is not an insult; "сам дурак" is)
SIMILE = 1 << 8  # как: "выгляжу как идиот"
FILLER = 1 << 9  # words a shout may hold besides the insult: ну, и, же, просто, одни
PROMO_VERB = 1 << 10  # купите, заходите, подписывайтесь
VENUE = 1 << 11  # сайт, магазин, канал, ссылка, профиль
OWN = 1 << 12  # наш
PROMO_CODE = 1 << 13  # промокод
EARNING = 1 << 14  # заработок, доход, подработка
MESSENGER = 1 << 15  # телеграм, ватсап, инстаграм, вк
SOLICIT = 1 << 16  # пишите, звоните, добавляйтесь
PRIVATE = 1 << 17  # лс, личку, директ
REVIEW = 1 << 18  # отзыв, оценку, звёзды; пишу, оставляю
INCENTIVE = 1 << 19  # баллы, кэшбэк, бонусы
FOR = 1 << 20  # за, ради
PROMISE = 1 << 21  # обещали, начислят, вернут, заплатили
ASKED = 1 << 22  # попросили, просят, уговорили
LEAVE = 1 << 23  # оставить, написать, поставить (after ASKED)
NEGATION = 1 << 24  # не, ни
COMMON = 1 << 25  # a frequent short word: a text holding one is not keyboard mashing
PRAISE = 1 << 26  # what a paid review is asked to be: пять звёзд, хороший отзыв
WORK = 1 << 27  # работа: an offer of earnings only as "работа на дому"
POINTER = 1 << 28  # where a spammer points: по ссылке, в профиле, в шапке, в директ

_INSULTS = (
    "дебил m",
    "дебилка fk",
    "дебилоид m",
    "идиот m",
    "идиотка fk",
    "кретин m",
    "кретинка fk",
    "дегенерат m",
    "дегенератка fk",
    "имбецил m",
    "олигофрен m",
    "придурок придурк mk",
    "урод m",
    "уродина fa",
    "ублюдок ублюдк mk",
    "выродок выродк mk",
    "отморозок отморозк mk",
    "ушлепок ушлепк mk",
    "недоумок недоумк mk",
    "подонок подонк mk",
    "мразь fs",
    "тварь fs",
    "сволочь fs",
    "бестолочь fs",
    "нелюдь fs",
    "скотина fa",
    "гнида fa",
    "падла fa",
    "паскуда fa",
    "тупица fc",
    "мудила fa",
    "быдло n",
    "хамло n",
    "ничтожество n",
    "чмо -",
    "чмошник mk",
    "даун m",
    "шлюха fk",
    "гандон m",
    "гондон m",
    # also obscene (profanity.py flags them too); an insult when they name a person
    "мудак mk",
    "долбоеб m",
    "уебок уебк mk",
    "еблан m",
    "пидор m",
    "пидорас m",
    "пидарас m",
)
_WEAK_INSULTS = (
    "дурак mk",
    "дура fa",
    "дурачок дурачк mk",
    "козел козл m",
    "козлина fa",
    "овца fa",
    "свинья fjja",
    "лох mk",
    "лошара fa",
    "лохушка fk",
    "клоун m",
    "жлоб m",
    "хам m",
    "сука fk",
    "сучка fk",
    "крыса fa",
    "обезьяна fa",
    "бездарь fs",
    "дятел дятл m",
    "баран m",
    "осел осл m",
    "олух mk",
    "болван m",
    "гад m",
    "гадина fa",
    "неуч mk",
)
_INSULT_ADJECTIVES = (
    "тупой туп adjo",
    "тупорылый тупорыл adj",
    "тупоголовый тупоголов adj",
    "безмозглый безмозгл adj",
    "криворукий криворук adjk",
    "безрукий безрук adjk",
    "конченый кончен adj",
    "конченный конченн adj",
    "ебанутый ебанут adj",
    "долбанутый долбанут adj",
    "недоразвитый недоразвит adj",
    "отмороженный отмороженн adj",
    "дебильный дебильн adj",
    "идиотский идиотск adjk",
    "ущербный ущербн adj",
    "убогий убог adjk",
)
_PERSONS = (
    "продавец продавц mc",
    "продавщица fc",
    "селлер m",
    "поставщик mk",
    "курьер m",
    "доставщик mk",
    "водитель ms",
    "менеджер m",
    "оператор m",
    "сотрудник mk",
    "сотрудница fc",
    "работник mk",
    "работница fc",
    "персонал m",
    "консультант m",
    "упаковщик mk",
    "упаковщица fc",
    "сборщик mk",
    "сборщица fc",
    "кладовщик mk",
    "модератор m",
    "администратор m",
    "админ m",
    "директор m",
    "владелец владельц mc",
    "девушка fk",
    "мужик mk",
    "женщина fa",
    "мужчина fa",
    "человек mk",
    "покупатель ms",
    "покупательница fc",
    "автор m",
    "кассир m",
    "охранник mk",
    "дизайнер m",
    "технолог m",
    "производитель ms",
    "поддержка fk",
    "приемщица fc",
    "ребята fa",
)
_PERSON_FORMS = (
    "люди людей людям людьми людях девушек парень парня парню парнем парне парни парней парням парнями ребят"
)

_YOU = (
    "ты тебя тебе тобой тобою вы вас вам вами твой твоя твое твои твоего твоему твоим твоем твою "
    "твоей твоих твоими ваш ваша ваше ваши вашего вашему вашим вашем вашу вашей ваших вашими "
    "you your"
)
_THIRD = "он она они"
_WHO = "кто какой какая какие каким какого какому каких какую"
_SELF = "я меня мне мной мною мы нас нам нами i me myself"
_FILLER = (
    "ну и же просто полные полный полная полное одни вот там тут все эти этот эта это то ли что а да "
    "блин реально настоящие настоящий какие какой конкретно совсем вообще еще такие такой такая"
)

_PROMO_VERBS = (
    "купите покупайте закажите заказывайте заходите зайдите заглядывайте загляните переходите "
    "перейдите подписывайтесь подпишитесь приходите ищите найдите регистрируйтесь "
    "зарегистрируйтесь скачивайте скачайте вступайте присоединяйтесь жмите кликайте покупай "
    "заказывай заходи переходи подписывайся ищи вступай"
)
_VENUES = (
    "сайт m",
    "магазин m",
    "канал m",
    "группа fa",
    "страница fc",
    "страничка fk",
    "профиль ms",
    "ссылка fk",
    "шоурум m",
    "бутик mk",
    "аккаунт m",
    "паблик mk",
)
_VENUE_FORMS = "телеграм телеграме телеграмм инстаграм инстаграме инстаграмм директ директе"
_OWN = (
    "наш наша наше наши нашего нашему нашим нашем нашу нашей наших нашими "
    "мой моя мое мои моего моему моим моем мою моей моих моими"
)
_POINTERS = "ссылка ссылке ссылку ссылки профиле профиль профиля шапке директ директе био bio"
_PROMO_CODES = ("промокод m",)
_PROMO_CODE_FORMS = "promocode promo промо"
_EARNINGS = ("заработок заработк mk", "доход m", "подработка fk")
_EARNING_FORMS = (
    "заработать зарабатывать зарабатывай зарабатывайте заработай заработайте зарабатываю "
    "зарабатываем зарабатывает"
)

_MESSENGERS = (
    "телеграм телеграмм телеграме телеграмме телега телегу телеге телеги тг telegram tg тгк "
    "ватсап ватсапп ватсапе ватсапу вотсап вотсапп вотсапе вацап вацапе whatsapp watsapp wa "
    "вайбер вайбере вайберу viber инст инста инсту инсте инстаграм инстаграме инстаграмм instagram "
    "insta inst вк вконтакте vk тикток tiktok скайп skype дискорд discord"
)
_SOLICIT = (
    "пишите напишите пиши напиши звоните позвоните звони позвони добавляйтесь добавляйся "
    "обращайтесь стучите стучитесь свяжитесь связывайтесь"
)
_PRIVATE = "лс личку личке личные личных директ директе"

_REVIEWS = ("отзыв m", "оценка fk")
_REVIEW_FORMS = (
    "звезды звезд звезду звездами звездочек звездочки пишу написать написала написал пишем "
    "оставляю оставить оставила оставил ставлю поставить поставила поставил"
)
_INCENTIVES = (
    "балл m",
    "бонус m",
    "кэшбэк mk",
    "кешбэк mk",
    "кэшбек mk",
    "кешбек mk",
    "вознаграждение nie",
    "компенсация fija",
)
_INCENTIVE_FORMS = "cashback"
_FOR = "за ради"
_PROMISES = (
    "обещали обещал обещала обещают пообещали пообещал пообещала дадут дали вернут вернули "
    "начислят начислили начисляют начислить платят заплатили заплатят получу получила получил "
    "получить предложили предлагают дарят подарили"
)
_ASKED = (
    "просил просила просили попросил попросила попросили просят попросят уговорили уговорил "
    "уговаривали предложил предложила предложили"
)
_LEAVE = "оставить написать поставить оставила написала поставила"
_NEGATION = "не ни"
_PRAISE = "5 пять пятерку пятерочку хороший хорошую положительный положительную высокую отличный отличную"

# Short and frequent words: a text with one of them is not keyboard mashing ("ок", "норм", "да").
_COMMON = (
    "ок окей норм нормально супер класс да нет ага угу все всё хорошо плохо отлично спасибо "
    "и в на не что с а как это по но он она они я мы вы ты у за из же так то бы ли ну вот уже "
    "ещё еще очень был была было были есть нет товар размер цвет ok okay good bad nice fine yes "
    "no the and a to is it of in for on with not very wow super cool top were we"
)


def listed(text: str) -> list[str]:
    """The words of a block of text: long word lists read as prose."""
    return text.split()


# English, smaller: the same kinds for texts written in English.
_ENGLISH = {
    INSULT: "idiot idiots moron morons retard retards scumbag scumbags asshole assholes",
    INSULT_WEAK: "fool fools clown clowns bitch bitches",
    INSULT_ADJ: "stupid dumb brainless",
    PERSON: "seller sellers courier couriers staff manager managers support guy guys people driver",
    THIRD: "he she they",
    FILLER: "is are so really just such a an the total complete",
}


def _build() -> dict[str, int]:
    bits: dict[str, int] = {}

    def mark(forms: list[str] | dict[str, str], bit: int) -> None:
        for form in forms:
            bits[form] = bits.get(form, 0) | bit

    mark(expand(_INSULTS), INSULT)
    mark(expand(_WEAK_INSULTS), INSULT_WEAK)
    mark(expand(_INSULT_ADJECTIVES), INSULT_ADJ)
    mark(expand(_PERSONS), PERSON)
    mark(listed(_PERSON_FORMS), PERSON)
    mark(listed(_YOU), YOU)
    mark(listed(_THIRD), THIRD)
    mark(listed(_WHO), WHO)
    mark(listed(_SELF), SELF)
    mark(["как"], SIMILE)
    mark(listed(_FILLER), FILLER)
    mark(listed(_PROMO_VERBS), PROMO_VERB)
    mark(expand(_VENUES), VENUE)
    mark(listed(_VENUE_FORMS), VENUE)
    mark(listed(_OWN), OWN)
    mark(listed(_POINTERS), POINTER)
    mark(expand(_PROMO_CODES), PROMO_CODE)
    mark(listed(_PROMO_CODE_FORMS), PROMO_CODE)
    mark(expand(_EARNINGS), EARNING)
    mark(listed(_EARNING_FORMS), EARNING)
    mark(listed(_MESSENGERS), MESSENGER)
    mark(listed(_SOLICIT), SOLICIT)
    mark(listed(_PRIVATE), PRIVATE)
    mark(expand(_REVIEWS), REVIEW)
    mark(listed(_REVIEW_FORMS), REVIEW)
    mark(expand(_INCENTIVES), INCENTIVE)
    mark(listed(_INCENTIVE_FORMS), INCENTIVE)
    mark(listed(_FOR), FOR)
    mark(listed(_PROMISES), PROMISE)
    mark(listed(_ASKED), ASKED)
    mark(listed(_LEAVE), LEAVE)
    mark(listed(_NEGATION), NEGATION)
    mark(listed(_COMMON), COMMON)
    mark(listed(_PRAISE), PRAISE)
    mark(["работа", "работу", "работы"], WORK)
    for bit, english in _ENGLISH.items():
        mark(listed(english), bit)
    return bits


WORDS = MappingProxyType(_build())
# The kinds a rule starts from; the others are looked up around those only.
TRIGGERS = (
    INSULT
    | INSULT_WEAK
    | INSULT_ADJ
    | PROMO_VERB
    | PROMO_CODE
    | EARNING
    | WORK
    | MESSENGER
    | SOLICIT
    | FOR
    | ASKED
)
TRIGGER_WORDS = frozenset(word for word, bits in WORDS.items() if bits & TRIGGERS)
