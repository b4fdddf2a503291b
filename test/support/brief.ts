/** The dimension values BRIEF.md says the demo stream produces (its "Metric catalog ids" section). */
export const BRIEF_DIMENSION_VALUES: Readonly<Record<string, readonly string[]>> = {
  channel: ['google', 'meta', 'email', 'organic', 'tiktok'],
  campaign: ['black-friday-2026', 'cyber-monday-2026', 'brand-always-on', 'retargeting-q4'],
  region: ['NA', 'EU', 'APAC', 'LATAM'],
  country: ['US', 'CA', 'MX', 'GB', 'DE', 'FR', 'ES', 'NL', 'BR', 'AR', 'JP', 'SG', 'AU', 'IN'],
  device: ['desktop', 'mobile', 'tablet'],
  product_category: ['electronics', 'apparel', 'home', 'beauty', 'sports'],
  payment_gateway: ['stripe', 'adyen', 'paypal'],
  service: ['checkout-api', 'payments-api', 'search-api', 'auth-api'],
  carrier: ['dhl', 'dpd', 'ups', 'fedex'],
  plan: ['free', 'pro', 'enterprise'],
  status_class: ['2xx', '3xx', '4xx', '5xx'],
};
