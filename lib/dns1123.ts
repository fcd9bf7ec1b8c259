// Kubernetes names: object names and API groups are DNS-1123 subdomains (dot-separated labels).

export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
