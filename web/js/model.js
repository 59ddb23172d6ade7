// model.js - the dossier model of docs/dossier.md as a field description from which the
// editor builds its form. Types: str, text, bool (unknown/yes/no), int, date, url, email,
// enum (select), enumlist (checkboxes), strlist (one per line), list (repeatable group).
// Labels and hints in Dutch and English; enum values are shown with their label in
// ENUM_LABELS when there is one, else as the value itself.

const f = (path, type, nl, en, extra = {}) => ({ path, type, label: { nl, en }, ...extra });
const e = (path, values, nl, en, extra = {}) => f(path, 'enum', nl, en, { values, ...extra });
const el = (path, values, nl, en, extra = {}) => f(path, 'enumlist', nl, en, { values, ...extra });
const hint = (nl, en) => ({ hint: { nl, en } });

const LOC = ['nl', 'eu', 'eea', 'us', 'other'];

export const SECTIONS = [
  {
    id: 'algemeen', title: { nl: 'Algemeen', en: 'General' },
    fields: [
      f('id', 'str', 'Kenmerk (id)', 'Identifier (id)', { required: true, pattern: '^[a-z0-9-]{1,64}$', ...hint('Kleine letters, cijfers en streepjes, bijvoorbeeld utrecht-chatbot.', 'Lower-case letters, digits and hyphens, e.g. utrecht-chatbot.') }),
      f('name', 'str', 'Naam van de toepassing', 'Name of the application', { required: true, max: 200 }),
      f('organisation.name', 'str', 'Organisatie', 'Organisation', { required: true }),
      e('organisation.layer', ['rijk', 'gemeente', 'provincie', 'waterschap', 'zbo', 'other'], 'Bestuurslaag', 'Layer of government', { required: true }),
      f('owner.name', 'str', 'Eigenaar: naam', 'Owner: name', { required: true, ...hint('De verantwoordelijke eigenaar die besluit.', 'The accountable owner who decides.') }),
      f('owner.function', 'str', 'Eigenaar: functie', 'Owner: function'),
      f('owner.email', 'email', 'Eigenaar: e-mailadres', 'Owner: e-mail address'),
    ],
  },
  {
    id: 'doel', title: { nl: 'Doel', en: 'Purpose' },
    fields: [
      f('purpose.description', 'text', 'Waarvoor dient de toepassing?', 'What is the application for?'),
      f('purpose.problem', 'text', 'Welk probleem lost generatieve AI op?', 'Which problem does generative AI solve?'),
      f('purpose.alternatives', 'list', 'Onderzochte minder ingrijpende alternatieven', 'Less intrusive alternatives examined', {
        item: { nl: 'Alternatief', en: 'Alternative' },
        fields: [f('option', 'str', 'Alternatief', 'Option'), f('rejected_because', 'text', 'Afgewezen omdat', 'Rejected because')],
      }),
      f('purpose.lawful_basis', 'text', 'Rechtsgrond', 'Lawful basis'),
    ],
  },
  {
    id: 'gebruik', title: { nl: 'Soort gebruik', en: 'Kind of use' },
    fields: [
      e('use.kind', ['develop', 'procure', 'use', 'unavoidable', 'feature_in_existing', 'third_party'], 'Soort inzet', 'Kind of use', { required: true }),
      f('use.third_party', 'str', 'Derde partij die onze gegevens verwerkt', 'Third party processing our data', hint('Alleen bij soort "derde partij".', 'Only for kind "third party".')),
      f('use.existing_software', 'str', 'Bestaand product met de nieuwe AI-functie', 'Existing product with the new AI feature'),
      el('use.users', ['internal', 'citizens', 'businesses', 'minors'], 'Gebruikers', 'Users'),
      f('use.citizen_facing', 'bool', 'Komen inwoners direct met de toepassing in aanraking?', 'Is it citizen-facing?'),
      f('use.output_published', 'bool', 'Wordt de uitvoer gepubliceerd?', 'Is the output published?'),
      f('use.output_feeds_decisions', 'bool', 'Voedt de uitvoer besluiten over mensen?', 'Does the output feed decisions about people?'),
      f('use.human_review', 'bool', 'Beoordeelt een mens de uitvoer vóór een besluit? (AVG art. 22)', 'Does a person review output before a decision? (GDPR art. 22)'),
      f('use.ai_disclosure', 'bool', 'Weten gebruikers dat ze met AI te maken hebben? (AI-verordening art. 50)', 'Are users told they interact with AI? (AI Act art. 50)'),
      f('use.synthetic_content_marked', 'bool', 'Is gegenereerde inhoud als zodanig gemarkeerd?', 'Is generated content marked as such?'),
      el('use.output_modalities', ['text', 'code', 'image', 'audio', 'video'], 'Soorten uitvoer', 'Output modalities'),
    ],
  },
  {
    id: 'omgeving', title: { nl: 'Omgeving', en: 'Environment' },
    fields: [
      e('use.environment', ['exploration', 'pilot', 'production'], 'Gevraagde omgeving', 'Requested environment', { required: true }),
      f('use.exploration_end', 'date', 'Einddatum van de verkenning', 'End date of the exploration', hint('Verplicht bij omgeving "verkenning".', 'Required when the environment is "exploration".')),
      f('use.production_data', 'bool', 'Gebruikt de toepassing gegevens uit productiebronnen?', 'Does it use data from production sources?'),
      f('review_date', 'date', 'Datum herbeoordeling', 'Review date'),
      f('kill_switch', 'bool', 'Kan de toepassing direct worden stopgezet (noodstop)?', 'Can the application be stopped at once (kill switch)?'),
      f('exit_plan', 'text', 'Exitplan', 'Exit plan'),
    ],
  },
  {
    id: 'modellen', title: { nl: 'Modellen en leveranciers', en: 'Models and providers' },
    fields: [
      f('models', 'list', 'Modellen', 'Models', {
        item: { nl: 'Model', en: 'Model' },
        fields: [
          f('name', 'str', 'Naam', 'Name', { required: true }),
          f('version', 'str', 'Versie', 'Version'),
          f('provider', 'str', 'Leverancier (id)', 'Provider (id)', { required: true, ...hint('Moet overeenkomen met de leverancier van een overeenkomst.', 'Must match the provider of an agreement.') }),
          f('licence', 'str', 'Licentie', 'Licence', hint('Bijvoorbeeld apache-2.0 of proprietary.', 'For example apache-2.0 or proprietary.')),
          f('open_source', 'bool', 'Open source?', 'Open source?'),
          f('origin_country', 'str', 'Land van de ontwikkelaar (ISO, bv. NL, FR, US)', 'Developer country (ISO, e.g. NL, FR, US)'),
          e('hosting_region', ['nl', 'eu', 'eea', 'us', 'other', 'on_premise'], 'Hostingregio', 'Hosting region'),
          e('terms', ['negotiated', 'business', 'consumer', 'self_hosted'], 'Voorwaarden', 'Terms', { required: true }),
          f('gpai', 'bool', 'AI-model voor algemene doeleinden (GPAI)?', 'General-purpose AI model (GPAI)?'),
          f('training_flops', 'str', 'Trainingsrekenkracht (FLOP, bv. 3e24)', 'Training compute (FLOP, e.g. 3e24)'),
        ],
      }),
      f('open_source_explanation', 'text', 'Toelichting als geen open-sourcemodel wordt gebruikt', 'Explanation when no open-source model is used'),
      f('european_explanation', 'text', 'Toelichting als geen Europees model wordt gebruikt', 'Explanation when no European model is used'),
    ],
  },
  {
    id: 'overeenkomsten', title: { nl: 'Overeenkomsten', en: 'Agreements' },
    fields: [
      f('agreements', 'list', 'Afspraken met leveranciers', 'Supplier agreements', {
        item: { nl: 'Overeenkomst', en: 'Agreement' },
        fields: [
          f('provider', 'str', 'Leverancier (id)', 'Provider (id)', { required: true }),
          f('reference', 'str', 'Contractnummer', 'Contract reference'),
          f('valid_until', 'date', 'Geldig tot', 'Valid until'),
          e('data_sharing', ['none', 'subprocessors_only', 'model_improvement', 'unrestricted'], 'Delen van gegevens', 'Data sharing'),
          f('retention_days', 'int', 'Bewaartermijn prompts, uitvoer en logs (dagen)', 'Retention of prompts, outputs and logs (days)', { min: 0 }),
          e('retraining', ['prohibited', 'opt_out', 'allowed', 'unspecified'], 'Hertrainen op invoer', 'Retraining on input'),
          f('access_logging', 'bool', 'Toegang wordt gelogd', 'Access is logged'),
          e('storage_location', LOC, 'Opslaglocatie', 'Storage location'),
          e('support_location', LOC, 'Locatie ondersteuning', 'Support location'),
          e('telemetry_location', LOC, 'Locatie telemetrie', 'Telemetry location'),
          e('transfer_mechanism', ['none', 'adequacy', 'scc', 'bcr'], 'Doorgiftemechanisme', 'Transfer mechanism'),
          f('processor_agreement', 'bool', 'Verwerkersovereenkomst', 'Processor agreement'),
          f('ownership', 'bool', 'Eigendom van gegevens en uitvoer geregeld', 'Ownership of data and output agreed'),
          f('copyright_statement', 'bool', 'Verklaring over auteursrecht', 'Copyright statement'),
          f('change_control', 'bool', 'Vooraf melden en goedkeuren van nieuwe AI-functies', 'Advance notice and approval of new AI features'),
          f('audit_rights', 'bool', 'Auditrecht', 'Audit rights'),
          f('liability', 'bool', 'Aansprakelijkheid geregeld', 'Liability agreed'),
          f('exit_clause', 'bool', 'Exitclausule', 'Exit clause'),
          f('arbit', 'bool', 'ARBIT van toepassing', 'ARBIT applies'),
        ],
      }),
    ],
  },
  {
    id: 'gegevens', title: { nl: 'Gegevens', en: 'Data' },
    fields: [
      f('data.personal_data', 'bool', 'Worden persoonsgegevens verwerkt?', 'Is personal data processed?'),
      f('data.categories', 'strlist', 'Gewone persoonsgegevens (één per regel)', 'Ordinary personal data categories (one per line)'),
      f('data.special_categories', 'strlist', 'Bijzondere en gevoelige persoonsgegevens (één per regel)', 'Special and sensitive categories (one per line)'),
      e('data.classification', ['none', 'intern', 'dep_vertrouwelijk', 'stg_confidentieel', 'stg_geheim', 'stg_zeer_geheim'], 'Rubricering', 'Classification'),
      f('data.confidential', 'bool', 'Heeft de eigenaar de gegevens als vertrouwelijk aangemerkt?', 'Has the owner marked the data confidential?'),
      f('data.sources', 'strlist', 'Bronnen (één per regel)', 'Sources (one per line)'),
      f('data.basisregistratie', 'bool', 'Wordt een basisregistratie gebruikt?', 'Is a basisregistratie used?'),
      el('data.subjects', ['employees', 'citizens', 'children', 'vulnerable'], 'Betrokkenen', 'Data subjects'),
      f('data.subject_count', 'int', 'Aantal betrokkenen', 'Number of data subjects', { min: 0 }),
      e('data.frequency', ['once', 'yearly', 'monthly', 'weekly', 'daily', 'continuous'], 'Frequentie van verwerking', 'Processing frequency'),
      f('data.retention_years', 'int', 'Bewaartermijn (jaren)', 'Retention (years)', { min: 0 }),
      f('data.outside_eea', 'bool', 'Opslag of ondersteuning buiten de EER?', 'Stored or supported outside the EEA?'),
    ],
  },
  {
    id: 'prescan', title: { nl: 'Pre-scan DPIA', en: 'DPIA pre-scan' },
    fields: [
      f('prescan.new_legislation', 'bool', 'Is er sprake van nieuwe wetgeving?', 'Is new legislation involved?'),
      f('prescan.ap_list', 'strlist', 'Items van de DPIA-lijst van de AP die van toepassing zijn (één per regel)', 'Items of the Dutch DPA mandatory-DPIA list that apply (one per line)'),
      el('prescan.edpb_criteria', ['evaluation_scoring', 'automated_decision', 'systematic_monitoring', 'sensitive_data', 'large_scale', 'matching', 'vulnerable_subjects', 'innovative_technology', 'prevents_rights'], 'EDPB-criteria die van toepassing zijn', 'EDPB criteria that apply'),
      f('prescan.transfers_score', 'int', 'Score doorgifte (0-2)', 'Transfers score (0-2)', { min: 0, max: 2 }),
      f('prescan.minors_score', 'int', 'Score minderjarigen (0-2)', 'Minors score (0-2)', { min: 0, max: 2 }),
      f('prescan.targets_minors', 'bool', 'Richt de dienst zich op minderjarigen?', 'Does the service target minors?'),
    ],
  },
  {
    id: 'ai-act', title: { nl: 'AI-verordening', en: 'AI Act' },
    fields: [
      e('ai_act.role', ['provider', 'deployer', 'importer', 'distributor'], 'Rol', 'Role'),
      e('ai_act.system_type', ['ai_system', 'gpai_system', 'gpai_model'], 'Soort systeem', 'System type'),
      e('ai_act.excluded', ['none', 'military', 'research', 'personal'], 'Uitgezonderd', 'Excluded'),
      f('ai_act.prohibited_practices', 'strlist', 'Verboden praktijken (art. 5) die van toepassing zijn (één per regel; hoort leeg te zijn)', 'Prohibited practices (art. 5) that apply (one per line; should be empty)'),
      f('ai_act.annex_i_product', 'bool', 'Product onder bijlage I?', 'Annex I product?'),
      e('ai_act.annex_iii_area', ['none', 'biometrics', 'critical_infrastructure', 'education', 'employment', 'essential_services', 'law_enforcement', 'migration', 'justice'], 'Gebied uit bijlage III', 'Annex III area'),
      f('ai_act.art6_3_exception', 'bool', 'Beperkte procedurele of voorbereidende taak (art. 6 lid 3)?', 'Narrow procedural or preparatory task (art. 6(3))?'),
      f('ai_act.profiling', 'bool', 'Profilering van natuurlijke personen?', 'Profiling of natural persons?'),
      f('ai_act.interacts_with_people', 'bool', 'Heeft het systeem interactie met mensen?', 'Does it interact with people?'),
      f('ai_act.generates_synthetic_content', 'bool', 'Genereert het synthetische inhoud?', 'Does it generate synthetic content?'),
      f('ai_act.emotion_recognition', 'bool', 'Emotieherkenning?', 'Emotion recognition?'),
      f('ai_act.deepfake', 'bool', 'Deepfakes?', 'Deepfakes?'),
      f('ai_act.impactful', 'bool', 'Impactvol algoritme (Algoritmeregister)?', 'Impactful algorithm (Algoritmeregister)?'),
    ],
  },
  {
    id: 'beoordelingen', title: { nl: 'Beoordelingen', en: 'Assessments' },
    fields: [
      f('assessments', 'list', 'Uitgevoerde en geplande beoordelingen', 'Assessments done and planned', {
        item: { nl: 'Beoordeling', en: 'Assessment' },
        fields: [
          e('kind', ['dpia_prescan', 'dpia', 'dtia', 'kia', 'iama', 'fria', 'aiia', 'ai_act_classification', 'bio_risk_analysis', 'copyright_review'], 'Soort', 'Kind', { required: true }),
          e('status', ['planned', 'in_progress', 'completed'], 'Status', 'Status'),
          f('date', 'date', 'Datum', 'Date'),
          f('outcome', 'text', 'Uitkomst', 'Outcome'),
          f('link', 'url', 'Link (https)', 'Link (https)'),
        ],
      }),
    ],
  },
  {
    id: 'overig', title: { nl: 'Geletterdheid, toezicht en archief', en: 'Literacy, oversight and archive' },
    fields: [
      e('literacy.required_level', ['bewust', 'bekwaam', 'vloeiend', 'expert'], 'Vereist niveau AI-geletterdheid', 'Required AI-literacy level'),
      f('literacy.programme', 'bool', 'Heeft de organisatie een programma voor AI-geletterdheid?', 'Does the organisation have an AI-literacy programme?'),
      f('oversight.human_oversight', 'bool', 'Menselijk toezicht ingericht', 'Human oversight in place'),
      f('oversight.log_retention_days', 'int', 'Bewaartermijn logs (dagen)', 'Log retention (days)', { min: 0 }),
      f('oversight.workers_informed', 'bool', 'Werknemers geïnformeerd', 'Workers informed'),
      f('retention.prompts_archived', 'bool', 'Prompts en uitvoer worden gearchiveerd (Archiefwet, Woo)', 'Prompts and output are archived (Archiefwet, Woo)'),
      f('retention.selection_list', 'str', 'Selectielijst', 'Selection list'),
      f('publication.contact_email', 'email', 'Contact voor het Algoritmeregister', 'Contact for the Algoritmeregister'),
      f('publication.website', 'url', 'Website (https)', 'Website (https)'),
      e('publication.status', ['in_ontwikkeling', 'in_gebruik', 'buiten_gebruik'], 'Status in het Algoritmeregister', 'Status in the Algoritmeregister'),
      f('publication.begin_date', 'str', 'Begindatum (jjjj-mm)', 'Begin date (yyyy-mm)', { pattern: '^\\d{4}-\\d{2}$' }),
      f('publication.theme', 'str', 'Thema', 'Theme'),
    ],
  },
];

// Human labels for enum values (others are shown as they are).
export const ENUM_LABELS = {
  rijk: { nl: 'Rijk', en: 'Central government' }, gemeente: { nl: 'Gemeente', en: 'Municipality' },
  provincie: { nl: 'Provincie', en: 'Province' }, waterschap: { nl: 'Waterschap', en: 'Water board' },
  zbo: { nl: 'Zelfstandig bestuursorgaan', en: 'Independent administrative body' }, other: { nl: 'Anders', en: 'Other' },
  develop: { nl: 'Zelf ontwikkelen', en: 'Develop' }, procure: { nl: 'Inkopen', en: 'Procure' }, use: { nl: 'Gebruiken', en: 'Use' },
  unavoidable: { nl: 'Onvermijdelijk gebruik', en: 'Unavoidable use' }, feature_in_existing: { nl: 'Nieuwe functie in bestaande software', en: 'Feature in existing software' },
  third_party: { nl: 'Derde partij verwerkt voor ons', en: 'Third party on our behalf' },
  exploration: { nl: 'Verkenning', en: 'Exploration' }, pilot: { nl: 'Pilot', en: 'Pilot' }, production: { nl: 'Productie', en: 'Production' },
  internal: { nl: 'Medewerkers', en: 'Internal' }, citizens: { nl: 'Inwoners', en: 'Citizens' }, businesses: { nl: 'Bedrijven', en: 'Businesses' }, minors: { nl: 'Minderjarigen', en: 'Minors' },
  text: { nl: 'Tekst', en: 'Text' }, code: { nl: 'Code', en: 'Code' }, image: { nl: 'Beeld', en: 'Image' }, audio: { nl: 'Geluid', en: 'Audio' }, video: { nl: 'Video', en: 'Video' },
  negotiated: { nl: 'Onderhandeld contract', en: 'Negotiated' }, business: { nl: 'Zakelijke voorwaarden', en: 'Business terms' },
  consumer: { nl: 'Consumentenvoorwaarden', en: 'Consumer terms' }, self_hosted: { nl: 'Zelf gehost', en: 'Self-hosted' },
  on_premise: { nl: 'Eigen beheer (on-premise)', en: 'On premise' }, eu: { nl: 'EU', en: 'EU' }, eea: { nl: 'EER', en: 'EEA' }, us: { nl: 'VS', en: 'US' }, nl: { nl: 'Nederland', en: 'Netherlands' },
  none: { nl: 'Geen', en: 'None' }, subprocessors_only: { nl: 'Alleen subverwerkers', en: 'Subprocessors only' },
  model_improvement: { nl: 'Voor modelverbetering', en: 'For model improvement' }, unrestricted: { nl: 'Onbeperkt', en: 'Unrestricted' },
  prohibited: { nl: 'Verboden', en: 'Prohibited' }, opt_out: { nl: 'Opt-out', en: 'Opt-out' }, allowed: { nl: 'Toegestaan', en: 'Allowed' }, unspecified: { nl: 'Niet geregeld', en: 'Unspecified' },
  adequacy: { nl: 'Adequaatheidsbesluit', en: 'Adequacy decision' }, scc: { nl: 'Modelcontractbepalingen (SCC)', en: 'SCC' }, bcr: { nl: 'BCR', en: 'BCR' },
  intern: { nl: 'Intern', en: 'Internal' }, dep_vertrouwelijk: { nl: 'Departementaal vertrouwelijk', en: 'Dep. Vertrouwelijk' },
  stg_confidentieel: { nl: 'Stg. Confidentieel', en: 'Stg. Confidentieel' }, stg_geheim: { nl: 'Stg. Geheim', en: 'Stg. Geheim' }, stg_zeer_geheim: { nl: 'Stg. Zeer geheim', en: 'Stg. Zeer geheim' },
  employees: { nl: 'Medewerkers', en: 'Employees' }, children: { nl: 'Kinderen', en: 'Children' }, vulnerable: { nl: 'Kwetsbare groepen', en: 'Vulnerable groups' },
  once: { nl: 'Eenmalig', en: 'Once' }, yearly: { nl: 'Jaarlijks', en: 'Yearly' }, monthly: { nl: 'Maandelijks', en: 'Monthly' }, weekly: { nl: 'Wekelijks', en: 'Weekly' }, daily: { nl: 'Dagelijks', en: 'Daily' }, continuous: { nl: 'Doorlopend', en: 'Continuous' },
  evaluation_scoring: { nl: 'Evaluatie of score', en: 'Evaluation or scoring' }, automated_decision: { nl: 'Geautomatiseerde besluitvorming', en: 'Automated decision' },
  systematic_monitoring: { nl: 'Stelselmatige monitoring', en: 'Systematic monitoring' }, sensitive_data: { nl: 'Gevoelige gegevens', en: 'Sensitive data' },
  large_scale: { nl: 'Grootschalig', en: 'Large scale' }, matching: { nl: 'Koppelen van gegevens', en: 'Matching datasets' }, vulnerable_subjects: { nl: 'Kwetsbare betrokkenen', en: 'Vulnerable subjects' },
  innovative_technology: { nl: 'Innovatieve technologie', en: 'Innovative technology' }, prevents_rights: { nl: 'Verhindert uitoefenen van rechten', en: 'Prevents exercising rights' },
  provider: { nl: 'Aanbieder', en: 'Provider' }, deployer: { nl: 'Gebruiksverantwoordelijke', en: 'Deployer' }, importer: { nl: 'Importeur', en: 'Importer' }, distributor: { nl: 'Distributeur', en: 'Distributor' },
  ai_system: { nl: 'AI-systeem', en: 'AI system' }, gpai_system: { nl: 'AI-systeem voor algemene doeleinden', en: 'GPAI system' }, gpai_model: { nl: 'AI-model voor algemene doeleinden', en: 'GPAI model' },
  military: { nl: 'Militair', en: 'Military' }, research: { nl: 'Alleen onderzoek', en: 'Research only' }, personal: { nl: 'Persoonlijk gebruik', en: 'Personal use' },
  biometrics: { nl: 'Biometrie', en: 'Biometrics' }, critical_infrastructure: { nl: 'Kritieke infrastructuur', en: 'Critical infrastructure' }, education: { nl: 'Onderwijs', en: 'Education' },
  employment: { nl: 'Werkgelegenheid', en: 'Employment' }, essential_services: { nl: 'Essentiële diensten', en: 'Essential services' }, law_enforcement: { nl: 'Rechtshandhaving', en: 'Law enforcement' },
  migration: { nl: 'Migratie', en: 'Migration' }, justice: { nl: 'Rechtspraak', en: 'Justice' },
  dpia_prescan: { nl: 'Pre-scan DPIA', en: 'DPIA pre-scan' }, dpia: { nl: 'DPIA', en: 'DPIA' }, dtia: { nl: 'DTIA', en: 'DTIA' }, kia: { nl: 'Kinderrechtentoets (KIA)', en: 'KIA' },
  iama: { nl: 'IAMA', en: 'IAMA' }, fria: { nl: 'FRIA', en: 'FRIA' }, aiia: { nl: 'AIIA', en: 'AIIA' }, ai_act_classification: { nl: 'Classificatie AI-verordening', en: 'AI Act classification' },
  bio_risk_analysis: { nl: 'Risicoanalyse BIO', en: 'BIO risk analysis' }, copyright_review: { nl: 'Toets auteursrecht', en: 'Copyright review' },
  planned: { nl: 'Gepland', en: 'Planned' }, in_progress: { nl: 'Bezig', en: 'In progress' }, completed: { nl: 'Afgerond', en: 'Completed' },
  bewust: { nl: 'Bewust', en: 'Aware' }, bekwaam: { nl: 'Bekwaam', en: 'Competent' }, vloeiend: { nl: 'Vloeiend', en: 'Fluent' }, expert: { nl: 'Expert', en: 'Expert' },
  in_ontwikkeling: { nl: 'In ontwikkeling', en: 'In development' }, in_gebruik: { nl: 'In gebruik', en: 'In use' }, buiten_gebruik: { nl: 'Buiten gebruik', en: 'Out of use' },
};

// Every field (top level and inside lists) by path, for lookups.
export function allFields() {
  const out = [];
  for (const s of SECTIONS) for (const fl of s.fields) out.push({ section: s.id, field: fl });
  return out;
}

// Reads a dotted path from an object: get(o, 'use.kind').
export function getPath(o, path) {
  let cur = o;
  for (const k of String(path).split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[k];
  }
  return cur;
}

// Sets or (value undefined) removes a dotted path; removes objects that become empty.
export function setPath(o, path, value) {
  const keys = String(path).split('.');
  const stack = [];
  let cur = o;
  for (let i = 0; i < keys.length - 1; i++) {
    if (cur[keys[i]] === null || typeof cur[keys[i]] !== 'object') {
      if (value === undefined) return o;
      cur[keys[i]] = {};
    }
    stack.push([cur, keys[i]]);
    cur = cur[keys[i]];
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  if (value === undefined) {
    for (let i = stack.length - 1; i >= 0; i--) {
      const [parent, k] = stack[i];
      const v = parent[k];
      if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) delete parent[k];
      else break;
    }
  }
  return o;
}
