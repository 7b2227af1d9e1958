"""The patterns behind `injection.detect`, on normalised text (lower case, no accents, single spaces).

Kept apart from the logic so the rules read as a list. Every pattern needs the grader to be addressed,
the instructions to be overridden, or a score to be demanded for *this* answer; a description of how a
judge works ("the judge should return a score from 1 to 5") matches none of them. The evals' injection
probes and the gold injection answers use phrasings that are not written here (see evals/README.md).
"""

from __future__ import annotations

import re

_F = re.I | re.M

# Cyrillic and Greek letters that look like Latin ones (after lower-casing), folded inside Latin words.
CONFUSABLES = dict(
    zip(
        "аеёкмнорстухіїјѕԁһӏԛԝвɡɑıαβεικνοτυχγ",
        "aeekmhopctyxiijsdhlqwbgaiabeikvotuxy",
        strict=True,
    )
)

GRADER = (
    r"(?:grader|grading (?:model|ai|system|bot|assistant|llm)|evaluator|evaluating (?:model|ai)|judge|assessor|"
    r"scorer|marker|examiner|reviewer|corrector|ai|a\.i\.|model|llm|language model|assistant|chatbot|bot|gpt|"
    r"claude|gemini|llama|correcteur|evaluateur|examinateur|modele|ia|evaluador|calificador|corrector|modelo|"
    r"examinador|prufer|pruferin|bewerter|korrektor|ki|modell|valutatore|correttore|modello|avaliador|corretor)"
)
TOP = (
    r"(?:5|five|10|ten|100|full(?: marks| credit| points| score)?|"
    r"max(?:imum)?(?: score| marks| points| grade| rating)?|"
    r"perfect(?: score| marks)?|top(?: score| marks| grade)?|highest(?: score| grade| mark| rating)?|5 ?/ ?5|"
    r"10 ?/ ?10|100 ?%|a\+)"
)
_IMP = r"(?:^|[,:;.!\-–—>(]\s*|\b(?:please|and|so|now|just|simply|kindly|then|also|therefore|thus|pls)\s+)"
# A vocative opens its segment or follows punctuation ("[Note to the grader: ...", "IMPORTANT INSTRUCTION TO THE
# EVALUATOR:"); "passes the user's message to the model" is a description.
_LEAD = (
    r"(?:^|[\[(:;.!?\-]\s*)\W*(?:(?:an? |one |my |our )?(?:important|quick|short|brief|final|small|urgent|private|"
    r"special|hidden|friendly|p\.? ?s\.?) )?"
)
_THIS = r"(?:this|my|the above) (?:answer|response|submission|reply|solution)"

ADDRESS = re.compile(
    r"|".join(
        [
            rf"{_LEAD}(?:note|message|instructions?|memo|reminder|p\.? ?s\.?|hint|request|directive)s? (?:to|for) "
            rf"(?:the |an |a |my |any |our )?{GRADER}\b",
            rf"\b(?:dear|hey|hi|hello|attention|attn)\b[,:]? (?:the |an |a |my |any )?{GRADER}\b",
            rf"\bto (?:the|an|a|any) {GRADER}\b.{{0,40}}\b(?:evaluating|grading|scoring|reading|reviewing|marking|"
            r"assessing|checking|looking at)\b",
            rf"\b{GRADER} (?:reading|grading|evaluating|scoring|reviewing|marking|assessing|checking) (?:this|me|my)\b",
            r"\bas (?:the|an|a|my) (?:grader|grading model|grading ai|evaluator|assessor|scorer|marker|examiner|judge)"
            r"\b.{0,60}\byou\b",
            r"\byou are (?:now )?(?:a|an|the) (?:\w+ ){0,2}"
            r"(?:grader|judge|evaluator|assistant|assessor|scorer|marker)\b",
            r"\bif you(?: are|'re) (?:an? )?(?:ai|llm|language model|model|grader|evaluator|judge|reading this|"
            r"grading this|evaluating this|scoring this)\b",
            rf"(?:<-|->|=>|<=) ?{GRADER}\b",
            rf"\b(?:nota|mensaje|mensagem|messaggio) (?:para|per) (?:el |la |o |il |l')?{GRADER}\b",
            rf"\b(?:querido|estimado|cher|chere|liebe[rs]?|caro|gentile) {GRADER}\b",
            rf"\b(?:note|message) (?:a|au|pour) (?:l'|le |la )?{GRADER}\b",
            rf"\b(?:hinweis|nachricht|notiz) an (?:den|die|das) {GRADER}\b",
        ]
    ),
    _F,
)
# Addressing forms that are an injection on their own (a vocative to the grader, a role change).
STRONG_ADDRESS = re.compile(
    rf"{_LEAD}(?:note|message|instructions?|memo|reminder|p\.? ?s\.?)s? (?:to|for) (?:the |an |a |my |any )?{GRADER}\b|"
    rf"\b(?:dear|hey|attention|attn)\b[,:]? (?:the |an |a |my |any )?{GRADER}\b|"
    rf"\bto (?:the|an|a|any) {GRADER}\b.{{0,40}}\b(?:evaluating|grading|scoring|reading|reviewing|marking)\b|"
    rf"\b{GRADER} (?:reading|grading|evaluating|scoring|reviewing|marking) (?:this|me)\b|"
    r"\byou are now\b|\byou are (?:a|an) (?:lenient|generous|kind|friendly) |"
    r"\bif you(?: are|'re) (?:an? )?(?:ai|llm)\b",
    _F,
)
IMPERATIVE = re.compile(
    rf"\b(?:deserves?|merits?|warrants?|earns?|is worth)\b[^.\n]{{0,20}}\b{TOP}(?!\w)|"
    r"\b(?:output|return|respond|reply|print|give|award|assign|rate|score|grade|mark|ignore|disregard|confirm|"
    r"apply|use|make sure|ensure|do not|don't|never|must|should|please)\b",
    _F,
)
OVERRIDE = re.compile(
    r"|".join(
        [
            _IMP + r"(?:ignore|disregard|forget|override|overrule|bypass|skip|discard|neglect|abandon)"
            r"(?: \w+){0,4}? (?:instructions?|rules?|rubrics?|rubric (?:points|criteria)|guidelines?|prompts?|"
            r"directions?|directives?|criteria|key points|constraints|system prompt|guidance|orders|commands)\b",
            r"\bnew (?:instructions|rules|rubric|system prompt)\s*:",
            r"\bfrom now on,? you\b",
            r"\b(?:the )?(?:rubric|instructions|guidelines|criteria)(?: above)? (?:is|are) (?:outdated|obsolete|"
            r"wrong|invalid|superseded|void|no longer valid|cancelled)\b",
            r"\b(?:ignora|ignore|ignoren|ignorad|olvida|olvide|olviden|omite|omita|descarta|descarte|ignorez|"
            r"ignorer|oublie|oubliez|oublier|negligez|negliger|ignorate|ignori|dimentica|dimenticate|trascura|ignorem|esqueca|"
            r"desconsidere|negeer|vergeet)(?: \w+){0,3}? (?:instrucciones|reglas|indicaciones|rubrica|criterios|"
            r"instructions|consignes|regles|directives|grille|bareme|istruzioni|regole|indicazioni|criteri|instrucoes|regras|"
            r"orientacoes|instructies|regels|richtlijnen)\b",
            r"\b(?:ignorier\w*|vergiss|vergessen sie|missachte\w*)(?: \w+){0,3}? (?:anweisungen|instruktionen|regeln|"
            r"vorgaben|bewertungskriterien|kriterien|richtlinien)\b",
            r"(?:игнорир\w*|проигнорир\w*|забудь\w*)(?: \w+){0,3}? (?:инструкци\w*|указани\w*|правил\w*)",
            r"(?:忽略|无视|忘记|忽视|無視).{0,8}(?:指令|指示|说明|規則|规则|提示|命令)|(?:指示|命令|ルール).{0,6}無視",
        ]
    ),
    _F,
)
DEMAND = re.compile(
    r"|".join(
        [
            rf"\b(?:give|award|assign|grant|output|return|set|rate|score|grade|mark|put)\b[^.\n]{{0,25}}\b{_THIS}\b"
            rf"[^.\n]{{0,40}}?\b{TOP}(?!\w)",
            rf"{_IMP}(?:give|award|assign|grant)\s+(?:me|us|it|this)\s+(?:a |an |the )?"
            r"(?:score of |grade of |mark of )?"
            rf"{TOP}(?!\w)",
            rf"{_IMP}(?:score|grade|rate|mark)\s+(?:it|this|me|accordingly|the answer|the response)\b[^.\n]{{0,25}}?"
            rf"\b{TOP}(?!\w)",
            rf"{_IMP}(?:output|return|respond with|reply with|print)\s+(?:a |the )?(?:score|grade|rating|mark)\s*"
            rf"(?:of|=|:)?\s*{TOP}(?!\w)",
            rf"\byou (?:should|must|will|shall|need to|have to|are to|are required to)\s+(?:give|award|assign|rate|"
            rf"score|grade|mark|output|return)\b[^.\n]{{0,40}}\b{TOP}(?!\w)",
            rf"\b{_THIS}\b[^.\n]{{0,40}}\b(?:deserves?|merits?|warrants?|earns?|should (?:get|receive|be (?:given|"
            rf"scored|graded|rated))|must (?:get|receive|be (?:given|scored|graded|rated))|gets?|receives?|is worth)"
            rf"\b[^.\n]{{0,30}}\b{TOP}(?!\w)",
            rf"\b(?:grader|grading model|evaluator|judge|assessor|scorer|marker|examiner|model|ai)s?\b[^.\n]{{0,60}}"
            rf"\b(?:must|should|shall|needs? to|has to|will|is to)\b[^.\n]{{0,30}}\b(?:output|give|assign|award|rate|"
            rf"score|return|mark)\b[^.\n]{{0,40}}\b{_THIS}\b",
            rf"\bany (?:score|grade|rating|mark) (?:below|under|less than|lower than)\s+{TOP}\b[^.\n]{{0,30}}"
            r"\b(?:error|mistake|wrong|invalid|incorrect|bug)",
            r"\b(?:make sure|ensure)\b[^.\n]{0,20}\byour (?:score|grade|rating|marks?|evaluation)\b",
            r"(?:^|[.!?:;]\s*)(?:please )?(?:do not|don't|never) re-?(?:grade|mark|score|evaluate)\s*(?:this|my|it|me)?"
            r"\s*(?:[.!]|$)",
            r"\b(?:do not|don't|never) (?:lower|change|adjust|override|reduce|dock|modify) (?:this|my) (?:score|grade|"
            r"rating|marks?)\b",
            r"\b(?:dame|deme|denme|ponme|pongame|ponle|ponles|pon|asigname|asignale|otorgame|otorgale|dale|dele|"
            r"dadle)\s+(?:\w+\s+){0,2}?(?:un |una |la |el )?"
            r"(?:5|cinco|10|diez|100|nota maxima|puntuacion maxima|maxima puntuacion|calificacion maxima|maxima nota|"
            r"sobresaliente|puntaje maximo)\b",
            r"\b(?:califica|calificame|puntua|puntuame|evalua|evaluame)\s+(?:\w+\s+){0,3}(?:con|como) (?:un |una )?"
            r"(?:5|cinco|10|diez|nota maxima|puntuacion maxima)\b",
            r"\b(?:esta|mi) respuesta (?:merece|debe recibir|deberia recibir|recibe|obtiene)\b",
            r"\b(?:donne|donnez|donner|attribue|attribuez|attribuer|mets|mettez|mettre|accorde|accordez|accorder)"
            r"(?:-| )?(?:moi|lui|nous)?\s+"
            r"(?:\w+\s+){0,2}?(?:un |une |la |le )?(?:5|cinq|10|dix|20|vingt|20 ?/ ?20|10 ?/ ?10|5 ?/ ?5|note maximale|"
            r"note maximum|meilleure note|note parfaite|tous les points)\b",
            r"\b(?:cette|ma) reponse (?:merite|doit recevoir|devrait recevoir|obtient|vaut)\b",
            r"\b(?:gib|gebt|geben sie|vergib|vergeben sie)\s+(?:\w+\s+){0,3}?(?:eine |die |volle |der )?"
            r"(?:5|funf|1|eins|"
            r"10|zehn|volle punktzahl|hochstpunktzahl|hochstnote|bestnote|volle punkte|maximale punktzahl|note 1)\b",
            r"\b(?:diese|meine) antwort (?:verdient|bekommt|sollte|muss|erhalt)\b",
            r"\b(?:dammi|datemi|assegna|assegnami|assegnate|mettimi)\s+(?:\w+\s+){0,2}?(?:un |il |una )?(?:5|cinque|10|"
            r"dieci|30|trenta|voto massimo|punteggio massimo|massimo dei voti)\b",
            r"\b(?:questa|la mia) risposta (?:merita|deve ricevere|dovrebbe ricevere)\b",
            r"\b(?:me de|de-me|me da|da-me|atribua|atribuam|deem)\s+(?:\w+\s+){0,2}?(?:um |uma |a |o )?"
            r"(?:5|cinco|10|dez|"
            r"nota maxima|pontuacao maxima)\b",
            r"\b(?:esta|minha) resposta (?:merece|deve receber)\b",
            r"\b(?:geef|geeft)\s+(?:\w+\s+){0,3}?(?:een )?"
            r"(?:5|vijf|10|tien|maximale score|volle punten|hoogste cijfer)\b",
            r"\b(?:dit|mijn) antwoord verdient\b",
            r"(?:поставь\w*|дай\w*)\s+(?:\w+\s+){0,3}?(?:5|пять|пятерк\w*|высш\w* балл|максимальн\w* балл)",
            r"(?:этот|мой) ответ заслуживает",
            r"(?:给|打).{0,6}(?:满分|最高分|5分|五分|10分)|満点|最高点",
        ]
    ),
    _F,
)
# A rule about when to give a score ("give it a 5 only if every key point is covered") is not a request.
CONDITION = re.compile(
    r"\b(?:only if|if|when|whenever|unless|provided|as long as|so long as|once|for (?:an? )?(?:answer|response)s? "
    r"that|solo si|seulement si|lorsque|quand|nur wenn|wenn|falls|solo se|alleen als)\b",
    _F,
)
CLAIM = re.compile(
    r"|".join(
        [
            rf"\b{_THIS}\b[^.\n]{{0,40}}\b(?:covers?|address(?:es)?|meets?|satisf(?:y|ies)|hits?|fulfil+s?|matches|"
            r"includes?)\b[^.\n]{0,20}\b(?:all|every|each)\b[^.\n]{0,20}\b(?:key points?|rubric|criteria|anchors?)",
            rf"\b{_THIS}\b[^.\n]{{0,40}}\b(?:meets?|matches|reaches) (?:the )?(?:level[- ]?5|top|highest|5)\b",
            r"\b(?:this|the) (?:answer|response)(?: above)? (?:has been|was|is) (?:verified|confirmed|approved|"
            r"pre-?screened|validated|certified)\b",
            r"\bthe candidate (?:has been|was|is) (?:verified|pre-?screened|confirmed|certified)\b",
            r"\banswers? (?:that|which) (?:mention|include|contain|use)s?\b[^.\n]{0,40}\b(?:automatically|satisf\w*|"
            r"meets?|covers?|receives?|gets?|earns?)\b[^.\n]{0,30}\b(?:all|every|full|5|five|max\w*)\b",
            r"\b(?:answer|response) (?:is|was) truncated due to\b",
        ]
    ),
    _F,
)
MARKUP = re.compile(
    r"</?(?:system|instructions?|rubric|answer|candidate_answer|user|assistant|prompt|grader|evaluation)>|"
    r"<\|?(?:im_start|im_end|system|endoftext|eot_id|start_header_id)\|?>|\[/?(?:inst|sys)\]|<</?sys>>|"
    r"###\s*(?:instruction|system)\b|\[\[\s*(?:assistant|system|grader|evaluator)",
    _F,
)
ROLE_HEADER = re.compile(
    r"^\W{0,6}(?:system|assistant|developer|grader|evaluator|assessor|examiner|marker|judge|ai|admin|moderator|"
    r"rubric update|grading update|evaluation update|updated rubric|updated guidelines|important instructions?|"
    r"important note|override|evaluation result)(?: instructions?)?\s*(?:\(|:|-{1,2}>)",
    _F,
)
# A tag named in prose ("wrap the answer in <answer> tags") is a description, not markup that opens or closes.
TAG_MENTION = re.compile(r"\s*(?:(?:and|or|/|,)\s*</?\w+>\s*)?(?:tags?|delimiters?|markers?|elements?|blocks?)\b", _F)
# A scale that starts at 0 or 1 ("from 1 to 5", "between 1 and 10", "1-5", "0 to 100"): its top is no demand.
SCALE = re.compile(r"\b(?:from |between )?[01] ?(?:to|-|–|and) ?(?:5|five|10|ten|100)\b(?! ?%)", _F)
# A line that introduces a prompt the answer shows: "My judge prompt would be:", "Prompt template:", "like this:".
TEMPLATE_INTRO = re.compile(
    r"(?:\b(?:prompt|template|system message|instructions)\b[^.\n]{0,40}|\b(?:like this|as follows|would be|"
    r"would read|reads|looks like|something like|for example|e\.?g\.?))\s*:\s*$",
    _F,
)
TEMPLATE_HEADER = re.compile(r"###\s*(?:instruction|system)\b", _F)  # a section header of a shown prompt
# A role header that names a grading role, which a judge-design answer uses as a label ("Judge: ...").
GRADER_LABEL = re.compile(r"^\W{0,6}(?:grader|evaluator|assessor|examiner|marker|judge)\s*:", _F)
# What makes such a line a message to the grader: this answer, its score, the instructions.
TARGETED = re.compile(
    r"\b(?:this|my|the above|the following) (?:answer|response|submission|reply|solution)\b|\bcandidate\b|"
    r"\b(?:5 ?/ ?5|10 ?/ ?10|full marks|full credit|full points|max(?:imum)? (?:score|marks|points)|perfect score|"
    r"top score)\b|\bscore (?:of |it |this )?\d|\b(?:instructions?|guidelines?|rubric (?:update|change)\w*|"
    r"updated|outdated|optional|ignore|disregard|override|do not|don't|must|always|never|please|kindly|"
    r"generous\w*|lenient\w*)\b",
    _F,
)
SHOUTED_HEADER = re.compile(r"^\W{0,6}[A-Z][A-Z ]{2,40}(?:\(|:|-{1,2}>)")
GRADING_WORDS = re.compile(
    r"\b(?:rubric|score|scores|scored|grade|grading|graded|marks|rating|instructions?|evaluat\w*|key points?|"
    r"this answer|candidate|5/5|full marks)\b",
    _F,
)
VERDICT = re.compile(
    r"\{\s*\"?(?:score|grade|rating|mark|verdict)\"?\s*:\s*\"?\d|\bpre-?filled\b[^.\n]{0,60}\b(?:score|grade|verdict|"
    r"result|evaluation)\b|\bpre-?filled (?:by|from) (?:the )?(?:rubric|grading|evaluation|grader|evaluator|system|"
    r"reviewer|examiner)|\b(?:evaluation|grading|assessment|grader'?s?) (?:result|verdict|output|decision)\b\s*[(:]",
    _F,
)
# What comes right before a phrase that is described rather than aimed at the reader.
MENTION = re.compile(
    r"\b(?:like|such as|e\.?g\.?|for example|for instance|says?|saying|said|writ(?:e|es|ing)|wrote|typ(?:e|es|ed|ing)|"
    r"asks?|asked|asking|tells?|telling|phrases?|strings?|contains?|containing|includ(?:e|es|ing)|known as|called|"
    r"injects?|injected|injecting|returns?|returning|outputs?|emits?|produces?|responds? with|replies with|parses?|"
    r"logs?|format|schema|example)\b(?:\W+\w+){0,3}\W*$",
    _F,
)
IMPERATIVE_LEAD = re.compile(
    r"^\W*(?:please )?(?:return|output|respond with|reply with|print|emit|use|answer with)\W*(?:json|this|exactly|"
    r"the following)?\W*$",
    _F,
)
# Obfuscated text squashed to letters and digits ("i g n o r e  p r e v i o u s ..." -> "ignoreprevious...").
SQUASHED = re.compile(
    r"(?:ignore|disregard|forget|override|bypass)(?:all|any|the|your|my|these)*(?:previous|prior|above|earlier|"
    r"preceding|system|original)*(?:instructions?|rules|rubric|prompts?|guidelines)|"
    r"(?:give|award|assign)(?:me|this(?:answer|response)?|it)(?:a|an|the)?(?:5|five|10|fullmarks|fullscore|"
    r"maxscore|maximumscore|perfectscore|topscore|topmarks)|"
    r"noteto(?:the)?(?:grader|evaluator|ai|model|judge)|ignoralasinstrucciones|ignorezlesinstructions|"
    r"ignorier\w{0,12}anweisungen|dameun(?:5|cinco|diez)",
    re.I,
)
