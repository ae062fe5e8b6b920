{{/* The chart's name, or nameOverride. */}}
{{- define "proxmcp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Object names: the release name, with the chart's name added unless the release already has it. */}}
{{- define "proxmcp.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "proxmcp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels every object carries; "component" tells the proxy from the built-in Redis. */}}
{{- define "proxmcp.labels" -}}
helm.sh/chart: {{ include "proxmcp.chart" . }}
app.kubernetes.io/name: {{ include "proxmcp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: proxmcp
{{- end -}}

{{- define "proxmcp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "proxmcp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: proxy
{{- end -}}

{{- define "proxmcp.redis.fullname" -}}
{{- printf "%s-redis" (include "proxmcp.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "proxmcp.redis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "proxmcp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end -}}

{{/* The Secret holding the cluster secret, API keys and (for an external Redis) its URL. */}}
{{- define "proxmcp.secretName" -}}
{{- default (include "proxmcp.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- define "proxmcp.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
The config file: .Values.config with the Service's own DNS names added to allowedHosts, since
the image listens on 0.0.0.0 and then serves only the Host names it is told about.
*/}}
{{- define "proxmcp.config" -}}
{{- $fullname := include "proxmcp.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- $serviceHosts := list $fullname (printf "%s.%s" $fullname $ns) (printf "%s.%s.svc" $fullname $ns) (printf "%s.%s.svc.%s" $fullname $ns .Values.clusterDomain) -}}
{{- $config := deepCopy .Values.config -}}
{{- $_ := set $config "allowedHosts" (concat (default (list) .Values.config.allowedHosts) $serviceHosts | uniq) -}}
{{- if hasKey $config "cluster" -}}
{{- fail "config.cluster: leave it out; the chart passes Redis and the secret as PROXMCP_CLUSTER_REDIS/PROXMCP_CLUSTER_SECRET" -}}
{{- end -}}
{{- if or (hasKey $config "host") (hasKey $config "port") -}}
{{- fail "config.host/config.port: leave them out; the image listens on 0.0.0.0:3000 and the Service maps service.port to it" -}}
{{- end -}}
{{- toPrettyJson $config -}}
{{- end -}}

{{/* Fails the render early on values that would only fail at run time. */}}
{{- define "proxmcp.validate" -}}
{{- if not .Values.existingSecret -}}
{{- if lt (len .Values.cluster.secret) 32 -}}
{{- fail "cluster.secret must be set (at least 32 characters, the same for every replica; e.g. `openssl rand -base64 48`), or name an existingSecret" -}}
{{- end -}}
{{- end -}}
{{- if and (not .Values.redis.enabled) (not .Values.externalRedis.url) (not .Values.existingSecret) -}}
{{- fail "Redis: set redis.enabled=true, or externalRedis.url, or an existingSecret with a redis-url key" -}}
{{- end -}}
{{- end -}}
