/**
 * `--seed N`: N generated demandes, reproducible from a PRNG seed. Names are drawn from small
 * built-in lists of invented surnames and common first names, phone numbers from the range
 * ARCEP reserves for fiction (06 39 98 xx xx), e-mail addresses under `.invalid`: no real
 * person is ever described. Communes are real INSEE codes, so that numéros uniques get real
 * territories.
 */
import { addMonths, toDate } from './clock.js'
import { coded, leaf } from './demande-tree.js'
import type { XmlNode } from './xml-writer.js'

/** mulberry32: a small, fast, well-distributed 32-bit PRNG; uniform in [0, 1). */
export function createPrng (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Invented surnames (checked against no directory: they are made up for this simulator).
const SURNAMES = [
  'BELLANGEAU', 'CASTERNAC', 'DUFRESNEL', 'ESPARGOUX', 'FONTAVIER', 'GALMIERON', 'HAUTECLERC', 'JOUVINARD',
  'LAMBRECOURT', 'MARCHAUDET', 'NOIRVAUX', 'ORSELLIER', 'PELLERAC', 'QUERNEVAL', 'ROUVESSAC', 'SAINTORGE',
  'TALMONIER', 'VAUTRINET', 'VERMANDOIX', 'YSERNAC'
]
const FIRST_NAMES_F = ['Camille', 'Léa', 'Manon', 'Chloé', 'Inès', 'Sarah', 'Nadia', 'Élodie', 'Aïcha', 'Sophie', 'Julie', 'Fatou']
const FIRST_NAMES_M = ['Lucas', 'Hugo', 'Karim', 'Thomas', 'Nicolas', 'Mehdi', 'Julien', 'Antoine', 'Moussa', 'Pierre', 'Yanis', 'Éric']
const STREETS = ['rue des Lilas', 'avenue de la République', 'rue Victor Hugo', 'boulevard Jean Jaurès', 'impasse des Tilleuls', 'chemin du Moulin']
// INSEE commune code and postal code, by territory.
const COMMUNES: Array<Array<[string, string]>> = [
  [['75113', '75013'], ['75120', '75020'], ['75118', '75018']],
  [['93066', '93200'], ['93048', '93100'], ['93008', '93000']],
  [['69123', '69003'], ['69266', '69100']],
  [['13055', '13013'], ['13001', '13090']],
  [['33063', '33000'], ['33281', '33700']],
  [['59350', '59000'], ['59512', '59100']],
  [['2A004', '20000'], ['2B033', '20200']],
  [['97411', '97400'], ['97415', '97410']]
]
const GUICHETS = ['G1226', 'G1104', 'G0751', 'G9301', 'G6901', 'G1301', 'G3301', 'G5901']

/** One generated demande: its demandeLogement, and the instant it was registered. */
export interface SeedDemande {
  demandeLogement: XmlNode
  createdAt: Date
}

function ascii (value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '-')
}

/**
 * Generates `count` demandes registered over the 18 months before `now` (so that some are
 * already due for the radiation for non-renewal), reproducible from `seed`.
 */
export function generateDemandes (count: number, seed: number, now: Date): SeedDemande[] {
  const random = createPrng(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1))
  const two = (n: number): string => String(n).padStart(2, '0')
  const out: SeedDemande[] = []
  for (let i = 0; i < count; i++) {
    const createdAt = new Date(now.getTime() - int(0, 540) * 86_400_000 - int(0, 86_399) * 1000)
    const createdOn = toDate(createdAt)
    const year = Number(createdOn.slice(0, 4))
    const female = random() < 0.5
    const nom = pick(SURNAMES)
    const prenom = pick(female ? FIRST_NAMES_F : FIRST_NAMES_M)
    const birth = `${int(1950, 2004)}-${two(int(1, 12))}-${two(int(1, 28))}`
    const communes = pick(COMMUNES)
    const [home, postal] = pick(communes)
    const incomplete = random() < 0.1
    const demandeur: XmlNode[] = [
      coded('civilite', female ? '2' : '1'), leaf('nom', nom), leaf('prenom', prenom), leaf('dateNaissance', birth),
      coded('nationalite', pick(['1', '1', '1', '2', '3'])), coded('situationFamiliale', pick(['C', 'M', 'D', 'S', 'P', 'U', 'V'])),
      leaf('telPortable', `063998${String(int(0, 9999)).padStart(4, '0')}`),
      leaf('mel', `${ascii(prenom)}.${ascii(nom)}@exemple.invalid`),
      {
        name: 'adressePostale',
        children: [leaf('etranger', 'false'), leaf('numero', String(int(1, 120))), leaf('voie', pick(STREETS)), leaf('codePostal', postal), coded('commune', home)]
      },
      { name: 'situationProfessionnelle', children: [coded('typeContratTravail', pick(['CDI', 'CDD', 'CHO', 'RET', 'ETU', 'AUT']))] }
    ]
    if (!incomplete) {
      const income = int(6, 30) * 1000
      demandeur.push({
        name: 'revenuFiscal',
        children: [leaf('anneeMoins1', String(year - 1)), leaf('montantMoins1', String(income)), leaf('anneeMoins2', String(year - 2)), leaf('montantMoins2', String(income - 500))]
      })
      demandeur.push({ name: 'listeRessourceRecue', children: [{ name: 'detailRessource', children: [coded('ressource', 'SAL'), leaf('montant', String(Math.round(income / 12)))] }] })
    }
    const physique: XmlNode[] = [{ name: 'demandeur', children: demandeur }]
    if (random() < 0.5) {
      physique.push({
        name: 'listePersonneACharge',
        children: [{
          name: 'personneACharge',
          children: [leaf('nom', nom), leaf('prenom', pick(random() < 0.5 ? FIRST_NAMES_F : FIRST_NAMES_M)),
            leaf('dateNaissance', `${int(2008, year - 1)}-${two(int(1, 12))}-${two(int(1, 28))}`), coded('sexe', pick(['M', 'F'])), coded('lienParente', 'E')]
        }]
      })
    }
    if (random() < 0.4) {
      physique.push({
        name: 'listeCotitulaire',
        children: [{
          name: 'cotitulaire',
          children: [coded('civilite', female ? '1' : '2'), leaf('nom', pick(SURNAMES)), leaf('prenom', pick(female ? FIRST_NAMES_M : FIRST_NAMES_F)),
            leaf('dateNaissance', `${int(1950, 2004)}-${two(int(1, 12))}-${two(int(1, 28))}`), coded('nationalite', '1'), coded('lienDemandeur', pick(['M', 'P', 'C']))]
        }]
      })
    }
    if (!incomplete) {
      physique.push({
        name: 'logementActuel',
        children: [{ name: 'listeModeleLogement', children: [coded('modeleLogement', pick(['HLM', 'LP', 'CPE', 'CP', 'SH']))] }, leaf('nombreHabitant', String(int(1, 6)))]
      })
    }
    const demande: XmlNode[] = [
      leaf('numGuichet', pick(GUICHETS)),
      leaf('dateCreationDemande', createdOn),
      { name: 'personnePhysique', children: physique }
    ]
    if (!incomplete) demande.push({ name: 'listeMotifDemande', children: [coded('motifDemande', two(int(1, 22)))] })
    if (random() < 0.08) {
      demande.push({ name: 'dalo', children: [coded('statutDalo', 'ACTIF'), leaf('dateDecisionDalo', addMonths(createdOn, -1))] })
    }
    const wanted = [...communes]
    for (let j = wanted.length - 1; j > 0; j--) {
      const k = Math.floor(random() * (j + 1))
      ;[wanted[j], wanted[k]] = [wanted[k]!, wanted[j]!]
    }
    wanted.length = int(1, communes.length)
    // The first commune souhaitée decides the territory of the numéro unique: keep the home one first.
    wanted.sort((a, b) => (a[0] === home ? -1 : b[0] === home ? 1 : 0))
    demande.push({
      name: 'logementRecherche',
      children: [
        leaf('demandeElargie', random() < 0.5 ? 'true' : 'false'),
        { name: 'listeTypeLogement', children: [coded('typeLogement', pick(['T1', 'T2', 'T3', 'T4', 'T5']))] },
        { name: 'listeLocalisationSouhaite', children: wanted.map(([code]) => ({ name: 'localisationSouhaite', children: [coded('commune', code)] })) }
      ]
    })
    out.push({ demandeLogement: { name: 'demandeLogement', children: demande }, createdAt })
  }
  return out
}
